import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { subscribe } from '../../shared/amqp/subscribe';
import {
  bookingEventSchemas,
  controlMessageSchema,
  partitionCommandSchema,
  partitionMessageSchema,
  type BookingResults,
  type ControlMessage,
} from '../../shared/contracts/messages';
import { BOOKING_REASONS, PAYMENT_REASONS } from '../../shared/errors';

const EVENT = '6f1c1d3e-8a8b-4c1e-9a51-0c7f7d1e2a01';
const BOOKING = '0b7f6a0e-3c2d-4b8e-9f1a-2d3c4b5a6978';

/** Every message edge is a zod schema; `subscribe` is the one way a consumer reads one. */
describe('message contracts', () => {
  it('refuses strings PostgreSQL cannot store in every free-text field of a command', () => {
    const book = (request: Record<string, unknown>, user_id = 'u1') =>
      partitionCommandSchema.safeParse({
        type: 'book',
        event_id: EVENT,
        booking_id: BOOKING,
        user_id,
        seq: 1,
        requested_at: new Date().toISOString(),
        request,
      });
    expect(book({ quantity: 1, section: 'Floor' }).success).toBe(true);
    for (const request of [
      { quantity: 1, section: 'A\u0000' },
      { quantity: 1, price_tier: '\u0007' },
      { seat_ids: ['A-1\u001f'] },
      { quantity: 1, section: 'x\u007f' },
    ]) {
      expect(book(request).success, JSON.stringify(request)).toBe(false);
    }
    expect(book({ quantity: 1 }, 'user\u0000').success).toBe(false);
    const checkout = partitionCommandSchema.safeParse({
      type: 'checkout',
      event_id: EVENT,
      booking_id: BOOKING,
      user_id: 'u1',
      payment_method: 'pm\u0000',
    });
    expect(checkout.success).toBe(false);
  });

  it('parses what the worker publishes on booking-events, and refuses what it would not', () => {
    const results: BookingResults = {
      event_id: EVENT,
      results: [
        {
          booking_id: BOOKING,
          event_id: EVENT,
          user_id: 'u1',
          status: 'failed',
          reason: 'malformed_command',
          seq: 3,
          decided_at: new Date().toISOString(),
        },
      ],
    };
    expect(bookingEventSchemas['booking.results'].parse(results)).toEqual(results);
    expect(
      bookingEventSchemas['booking.results'].safeParse({
        ...results,
        results: [{ ...results.results[0], reason: 'because' }],
      }).success,
    ).toBe(false);
    expect(
      bookingEventSchemas['event.progress'].safeParse({
        event_id: EVENT,
        watermark: 4,
        rate_per_s: 1.5,
        paused: false,
        throttle_per_s: null,
        at: 'now',
      }).success,
    ).toBe(true);
    expect(
      bookingEventSchemas['seats.changed'].safeParse({ event_id: EVENT, seats: [['A-1', 'held']], as_of: 'now' })
        .success,
    ).toBe(true);
    expect(
      bookingEventSchemas['seats.changed'].safeParse({ event_id: EVENT, seats: [['A-1', 'lost']], as_of: 'now' })
        .success,
    ).toBe(false);
  });

  it('types every reason an outcome carries, duplicate_payment and the failure reasons included', () => {
    expect(Object.keys(PAYMENT_REASONS)).toContain('duplicate_payment');
    for (const r of [
      'sold_out',
      'payment_declined',
      'duplicate_payment',
      'hold_expired',
      'malformed_command',
      'delivery_limit',
    ])
      expect(BOOKING_REASONS).toContain(r);
  });

  it('a partition queue carries commands and ticks', () => {
    expect(partitionMessageSchema.parse({ type: 'tick' })).toEqual({ type: 'tick' });
    expect(partitionMessageSchema.safeParse({ type: 'launch-missiles', event_id: EVENT }).success).toBe(false);
  });

  it('subscribe hands typed values to the handler and the rest, with a reason, to onInvalid', async () => {
    let deliver: (msg: ConsumeMessage | null) => void = () => undefined;
    const channel = {
      consume: (_queue: string, cb: (msg: ConsumeMessage | null) => void) => {
        deliver = cb;
        return Promise.resolve({ consumerTag: 'tag-1' });
      },
    };
    const valid: ControlMessage[] = [];
    const invalid: string[] = [];
    const tag = await subscribe(
      channel,
      'q',
      controlMessageSchema,
      (m) => valid.push(m),
      (_msg, reason) => invalid.push(reason),
      { label: 'control message' },
    );
    expect(tag).toBe('tag-1');
    const msg = (body: string) =>
      ({ content: Buffer.from(body), fields: {}, properties: {} }) as unknown as ConsumeMessage;
    const settings: ControlMessage = {
      type: 'event.settings',
      event_id: EVENT,
      partition: 1,
      throttle_per_s: 5,
      paused: false,
    };
    deliver(msg(JSON.stringify(settings)));
    deliver(msg('not json'));
    deliver(msg(JSON.stringify({ ...settings, partition: -1 })));
    deliver(null);
    expect(valid).toEqual([settings]);
    expect(invalid).toHaveLength(2);
    expect(invalid[0]).toBe('body is not JSON');
    expect(invalid[1]).toMatch(/^invalid control message: partition: /);
  });
});
