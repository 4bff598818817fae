import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import { names as amqpNames } from '../../shared/amqp/topology';
import type { NotifierContext } from '../context';
import { EventCoalescer } from './coalesce';
import { consumeParsed, on } from './consume';
import { onProgress } from './on-progress';
import { onResults } from './on-results';
import { onSeatsChanged } from './on-seats-changed';
import { bookingResultsSchema, eventProgressSchema, seatsChangedSchema } from './schemas';

export interface BrokerSubscription {
  /** A round trip to the broker on the consuming channel (for `/readyz`). */
  check(): Promise<void>;
  /** Stops consuming (idempotent). */
  cancel(): Promise<void>;
}

/**
 * The notifier's subscriptions on `booking-events`:
 * - results and progress on a queue of this instance's own (every instance sees every message),
 *   because positions and "push each result once" need this instance's own sockets' state;
 * - seat changes on one shared queue: identical for every watcher, so one instance broadcasts each
 *   through the adapter.
 */
export async function subscribeBookingEvents(ctx: NotifierContext, ch: Channel): Promise<BrokerSubscription> {
  const { config, logger } = ctx;
  const n = amqpNames(config.AMQP_PREFIX);
  await ch.prefetch(1000);
  const own = await ch.assertQueue(`${config.AMQP_PREFIX}notifier.${randomUUID()}`, { exclusive: true, autoDelete: true, arguments: { 'x-queue-type': 'classic' } });
  await ch.bindQueue(own.queue, n.bookingEvents, 'booking.results.*');
  await ch.bindQueue(own.queue, n.bookingEvents, 'event.progress.*');
  const shared = await ch.assertQueue(`${config.AMQP_PREFIX}notifier.seats-changed`, {
    durable: true,
    arguments: { 'x-message-ttl': 10_000, 'x-expires': 3_600_000 },
  });
  await ch.bindQueue(shared.queue, n.bookingEvents, 'seats.changed.*');

  const coalescer = new EventCoalescer(ctx, ctx.settings.NOTIFIER_COALESCE_MS);
  const tags = [
    await consumeParsed(
      ch,
      own.queue,
      {
        'booking.results': on(bookingResultsSchema, onResults(ctx)),
        'event.progress': on(eventProgressSchema, onProgress(coalescer)),
      },
      logger,
    ),
    await consumeParsed(ch, shared.queue, { 'seats.changed': on(seatsChangedSchema, onSeatsChanged(coalescer)) }, logger, 'seats.changed'),
  ];
  let cancelled: Promise<void> | null = null;
  return {
    check: async () => {
      await ch.checkQueue(own.queue);
    },
    cancel: () =>
      (cancelled ??= (async () => {
        for (const tag of tags) await ch.cancel(tag).catch(() => undefined);
        coalescer.stop();
      })()),
  };
}
