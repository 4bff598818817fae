import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import { names as amqpNames } from '../../shared/amqp/topology';
import { bookingEventSchemas } from '../../shared/contracts/messages';
import type { NotifierContext } from '../context';
import { EventCoalescer } from './coalesce';
import { consumeNotifications } from './consume';
import { onProgress } from './on-progress';
import { onResults, salvageResults } from './on-results';
import { onSeatsChanged } from './on-seats-changed';

export interface BrokerSubscription {
  /** A round trip to the broker on the consuming channel (for `/readyz`). */
  check(): Promise<void>;
  /** Stops consuming (idempotent). */
  cancel(): Promise<void>;
}

/**
 * The notifier's subscriptions on `booking-events`: one queue of this instance's own per message kind,
 * each read through the shared `subscribe` with the kind's shared schema (`bookingEventSchemas`).
 * Every instance sees every message, each event's in the order its single writer published them:
 * "push each result once" needs this instance's own sockets' state, and an event's room gets its
 * progress and seat changes together, one `event.update` per tick, from each instance to its own sockets. (Seat changes once went through one shared queue and the Redis
 * adapter: two messages per tick to every watcher, and changes consumed by two instances at once
 * could reach a socket out of order.)
 */
export async function subscribeBookingEvents(ctx: NotifierContext, ch: Channel): Promise<BrokerSubscription> {
  const { config, logger } = ctx;
  const n = amqpNames(config.AMQP_PREFIX);
  await ch.prefetch(1000);
  const instance = randomUUID();
  const ownQueue = async (kind: 'booking.results' | 'event.progress' | 'seats.changed') => {
    const q = await ch.assertQueue(`${config.AMQP_PREFIX}notifier.${instance}.${kind}`, {
      exclusive: true,
      autoDelete: true,
      arguments: { 'x-queue-type': 'classic' },
    });
    await ch.bindQueue(q.queue, n.bookingEvents, `${kind}.*`);
    return q.queue;
  };
  const results = await ownQueue('booking.results');
  const progress = await ownQueue('event.progress');
  const seats = await ownQueue('seats.changed');

  const coalescer = new EventCoalescer(ctx, ctx.settings.NOTIFIER_COALESCE_MS, {
    minMs: ctx.settings.NOTIFIER_EVENT_ROOM_MS,
    writesPerS: ctx.settings.NOTIFIER_ROOM_WRITES_PER_S,
    sliceAbove: ctx.settings.NOTIFIER_ROOM_SLICE_ABOVE,
  });
  const tags = [
    await consumeNotifications(
      ch,
      results,
      bookingEventSchemas['booking.results'],
      'booking.results',
      logger,
      onResults(ctx),
      salvageResults(ctx),
    ),
    await consumeNotifications(
      ch,
      progress,
      bookingEventSchemas['event.progress'],
      'event.progress',
      logger,
      onProgress(coalescer),
    ),
    await consumeNotifications(
      ch,
      seats,
      bookingEventSchemas['seats.changed'],
      'seats.changed',
      logger,
      onSeatsChanged(coalescer),
    ),
  ];
  let cancelled: Promise<void> | null = null;
  return {
    check: async () => {
      await ch.checkQueue(results);
    },
    cancel: () =>
      (cancelled ??= (async () => {
        for (const tag of tags) await ch.cancel(tag).catch(() => undefined);
        coalescer.stop();
      })()),
  };
}
