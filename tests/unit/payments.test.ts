import { describe, expect, it } from 'vitest';
import { createPublicKey } from 'node:crypto';
import {
  buildInventory,
  cacheTickets,
  seatStatus,
  type EventInventory,
} from '../../booking-workers/allocator/inventory';
import { decideBook } from '../../booking-workers/allocator/allocate';
import { expandLayout } from '../../booking-workers/allocator/layout';
import {
  applyPaymentResult,
  applyRefundResult,
  cancelConfirmed,
  cancelEvent,
  newEffects,
  priceOf,
  startCheckout,
  transferTicket,
  type PaymentPolicy,
} from '../../booking-workers/allocator/payments';
import { bookingOfReference } from '../../shared/payments/references';
import { signBarcode, ticketKeys, verifyBarcode } from '../../shared/tickets/barcode';
import { signWebhook, verifyWebhook } from '../../shared/payments/webhook-signature';

const NOW = Date.parse('2027-01-01T10:00:00Z');
const policy: PaymentPolicy = { graceMs: 120_000, feePercent: 10, feeFixedCents: 150 };
const B1 = '00000000-0000-4000-8000-000000000001';
const B2 = '00000000-0000-4000-8000-000000000002';
let ids = 0;
const newId = () => `10000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

function inventory(kind: 'reserved' | 'general_admission' = 'reserved'): EventInventory {
  return buildInventory({
    eventId: 'e1',
    kind,
    ready: true,
    holdSeconds: 600,
    maxPerUser: 8,
    onSaleAt: 0,
    settings: { throttlePerS: null, paused: false },
    capacity: 4,
    gaPriceCents: 2500,
    gaAvailable: kind === 'general_admission' ? 4 : null,
    seats:
      kind === 'reserved'
        ? expandLayout({
            kind: 'reserved',
            sections: [{ name: 'A', rows: 1, seats_per_row: 4, price_cents: 5000, price_tier: 'a' }],
          })
        : [],
    bookings: [],
    startsAt: NOW + 86_400_000,
  });
}

function hold(inv: EventInventory, id: string, user: string, quantity = 2) {
  return decideBook(
    inv,
    {
      type: 'book',
      event_id: 'e1',
      booking_id: id,
      user_id: user,
      seq: 1,
      requested_at: new Date(NOW).toISOString(),
      request: { quantity },
    },
    NOW,
    { maxPerRequest: 10 },
  );
}

function paid(inv: EventInventory, id = B1, user = 'alice') {
  hold(inv, id, user);
  const fx = newEffects();
  startCheckout(inv, { bookingId: id, userId: user, paymentMethod: 'pm_card_visa' }, NOW, policy, fx);
  const total = inv.bookings.get(id)!.totalCents!;
  const fx2 = newEffects();
  applyPaymentResult(
    inv,
    { bookingId: id, outcome: 'succeeded', attemptId: `${id}:a1`, chargeId: `ch_${id.slice(-1)}`, amountCents: total },
    NOW + 1000,
    newId,
    fx2,
  );
  return fx2;
}

describe('pricing and checkout', () => {
  it('adds a percentage and a fixed fee per ticket', () => {
    expect(priceOf(10_000, 2, policy)).toEqual({ feesCents: 1300, totalCents: 11_300 });
  });

  it('moves a held booking to payment_pending, extends the hold once, and asks for a charge', () => {
    const inv = inventory();
    const held = hold(inv, B1, 'alice');
    const fx = newEffects();
    startCheckout(inv, { bookingId: B1, userId: 'alice', paymentMethod: 'pm_card_visa' }, NOW, policy, fx);
    expect(fx.bookings[0]).toMatchObject({
      status: 'payment_pending',
      feesCents: 1300,
      totalCents: 11_300,
      paymentAttempts: 1,
      holdExpiresAt: held.holdExpiresAt! + 120_000,
    });
    expect(fx.charges).toEqual([{ id: `${B1}:a1`, bookingId: B1, amountCents: 11_300, paymentMethod: 'pm_card_visa' }]);

    // A second checkout while paying re-asks for the same attempt (idempotent), changing nothing.
    const again = newEffects();
    startCheckout(inv, { bookingId: B1, userId: 'alice', paymentMethod: 'pm_card_visa' }, NOW, policy, again);
    expect(again.bookings).toEqual([]);
    expect(again.charges.map((c) => c.id)).toEqual([`${B1}:a1`]);

    // Declined: back to held until expiry; the next checkout is attempt 2 and does not extend the hold again.
    const declined = newEffects();
    applyPaymentResult(inv, { bookingId: B1, outcome: 'failed', attemptId: `${B1}:a1` }, NOW, newId, declined);
    expect(declined.bookings[0]).toMatchObject({ status: 'held', reason: 'payment_declined' });
    const retry = newEffects();
    startCheckout(inv, { bookingId: B1, userId: 'alice', paymentMethod: 'pm_card_visa' }, NOW, policy, retry);
    expect(retry.bookings[0]).toMatchObject({
      status: 'payment_pending',
      paymentAttempts: 2,
      holdExpiresAt: held.holdExpiresAt! + 120_000,
    });
  });

  it('refuses another user and a booking whose hold ran out (the expiry wins, once)', () => {
    const inv = inventory();
    hold(inv, B1, 'alice');
    const fx = newEffects();
    startCheckout(inv, { bookingId: B1, userId: 'mallory', paymentMethod: 'x' }, NOW, policy, fx);
    expect(fx.bookings).toEqual([]);
    const late = newEffects();
    startCheckout(inv, { bookingId: B1, userId: 'alice', paymentMethod: 'x' }, NOW + 600_000, policy, late);
    expect(late.bookings.map((b) => b.status)).toEqual(['expired']);
    expect(late.charges).toEqual([]);
    expect(inv.available).toBe(4);
  });
});

describe('payment results', () => {
  it('confirms with an order and one ticket per seat; a duplicate success changes nothing', () => {
    const inv = inventory();
    const fx = paid(inv);
    const b = inv.bookings.get(B1)!;
    expect(b.status).toBe('confirmed');
    expect(fx.orders).toHaveLength(1);
    expect(fx.tickets.map((t) => t.seatId).sort()).toEqual(b.seatIdx.map((i) => inv.seats[i]!.id).sort());
    expect(b.seatIdx.map((i) => seatStatus(inv, i))).toEqual(['sold', 'sold']);
    expect(fx.emails.map((e) => e.template)).toEqual(['booking_confirmed']);
    expect(inv.users.get('alice')?.active ?? null).toBe(null);

    const dup = newEffects();
    applyPaymentResult(
      inv,
      { bookingId: B1, outcome: 'succeeded', attemptId: `${B1}:a1`, chargeId: 'ch_1', amountCents: b.totalCents! },
      NOW + 2000,
      newId,
      dup,
    );
    expect([dup.bookings, dup.orders, dup.tickets, dup.refunds]).toEqual([[], [], [], []]);
    // A stale failure arriving after the success changes nothing either.
    const stale = newEffects();
    applyPaymentResult(inv, { bookingId: B1, outcome: 'failed', attemptId: `${B1}:a1` }, NOW + 3000, newId, stale);
    expect(stale.bookings).toEqual([]);
    // A second charge that also succeeded is refunded.
    const extra = newEffects();
    applyPaymentResult(
      inv,
      { bookingId: B1, outcome: 'succeeded', attemptId: `${B1}:a2`, chargeId: 'ch_extra', amountCents: b.totalCents! },
      NOW + 4000,
      newId,
      extra,
    );
    expect(extra.bookings).toEqual([]);
    expect(extra.refunds).toEqual([
      {
        id: `${B1}:r:ch_extra`,
        bookingId: B1,
        chargeId: 'ch_extra',
        amountCents: b.totalCents,
        reason: 'duplicate_payment',
      },
    ]);
  });

  it('issues numbered units for general admission', () => {
    const inv = inventory('general_admission');
    const fx = paid(inv);
    expect(fx.tickets.map((t) => [t.seatId, t.unit])).toEqual([
      [null, 1],
      [null, 2],
    ]);
  });

  it('refunds a payment that lands after the hold expired, and records the refund', () => {
    const inv = inventory();
    hold(inv, B1, 'alice');
    startCheckout(inv, { bookingId: B1, userId: 'alice', paymentMethod: 'x' }, NOW, policy, newEffects());
    const total = inv.bookings.get(B1)!.totalCents!;
    const fx = newEffects();
    applyPaymentResult(
      inv,
      { bookingId: B1, outcome: 'succeeded', attemptId: `${B1}:a1`, chargeId: 'ch_late', amountCents: total },
      NOW + 800_000,
      newId,
      fx,
    );
    expect(fx.bookings.map((b) => [b.status, b.reason])).toEqual([
      ['expired', 'hold_expired'],
      ['cancelled', 'payment_after_expiry'],
    ]);
    expect(fx.refunds).toHaveLength(1);
    expect(fx.tickets).toEqual([]);
    expect(inv.available).toBe(4);
    const done = newEffects();
    applyRefundResult(
      inv,
      { bookingId: B1, refundId: `${B1}:r:ch_late`, chargeId: 'ch_late', outcome: 'succeeded' },
      NOW + 801_000,
      done,
    );
    expect(done.bookings.map((b) => [b.status, b.reason])).toEqual([['refunded', 'payment_after_expiry']]);
    const dup = newEffects();
    applyRefundResult(
      inv,
      { bookingId: B1, refundId: `${B1}:r:ch_late`, chargeId: 'ch_late', outcome: 'succeeded' },
      NOW + 802_000,
      dup,
    );
    expect(dup.bookings).toEqual([]);
  });
});

describe('cancellations and transfers', () => {
  it('a buyer cancels a confirmed booking: tickets void, seats back on sale, charge refunded', () => {
    const inv = inventory();
    const first = paid(inv);
    expect(first.tickets).toHaveLength(2);
    cacheTickets(inv, [B1], first.tickets);
    const fx = newEffects();
    expect(cancelConfirmed(inv, B1, { userId: 'alice' }, NOW + 5000, fx)).toBe(true);
    expect(fx.bookings[0]).toMatchObject({ status: 'cancelled', reason: 'cancelled_by_user' });
    expect(fx.voidBookings).toEqual([B1]);
    // Both issued tickets come back void (not an empty list that every() would pass).
    expect(fx.tickets.map((t) => [t.id, t.status])).toEqual(first.tickets.map((t) => [t.id, 'void']));
    expect(fx.refunds.map((r) => r.chargeId)).toEqual(['ch_1']);
    expect(inv.available).toBe(4);
    // The seats sell again.
    expect(hold(inv, B2, 'bob').status).toBe('held');
  });

  it('refuses a buyer cancellation when the event is not refundable or a ticket was transferred', () => {
    const inv = inventory();
    paid(inv);
    inv.refundable = false;
    const fx = newEffects();
    expect(cancelConfirmed(inv, B1, { userId: 'alice' }, NOW, fx)).toBe(false);
    inv.refundable = true;
    const ticket = [...inv.tickets.values()][0]!;
    transferTicket(inv, { ticketId: ticket.id, fromUserId: 'alice', toUserId: 'bob' }, NOW, newEffects());
    expect(cancelConfirmed(inv, B1, { userId: 'alice' }, NOW, newEffects())).toBe(false);
    expect(inv.bookings.get(B1)!.status).toBe('confirmed');
  });

  it('a transfer bumps the version and changes the owner; repeating it changes nothing', () => {
    const inv = inventory();
    paid(inv);
    const ticket = [...inv.tickets.values()][0]!;
    const fx = newEffects();
    transferTicket(inv, { ticketId: ticket.id, fromUserId: 'alice', toUserId: 'bob' }, NOW, fx);
    expect(fx.tickets[0]).toMatchObject({ ownerUserId: 'bob', version: 2 });
    expect(fx.emails[0]).toMatchObject({ userId: 'bob', template: 'ticket_received' });
    const again = newEffects();
    transferTicket(inv, { ticketId: ticket.id, fromUserId: 'alice', toUserId: 'bob' }, NOW, again);
    expect(again.tickets).toEqual([]);
  });

  it('an event cancellation releases holds, refunds confirmed bookings and rejects later requests', () => {
    const inv = inventory();
    paid(inv);
    hold(inv, B2, 'bob');
    const fx = newEffects();
    cancelEvent(inv, NOW, fx);
    expect(fx.bookings.map((b) => [b.id, b.status, b.reason])).toEqual([
      [B1, 'cancelled', 'event_cancelled'],
      [B2, 'cancelled', 'event_cancelled'],
    ]);
    expect(fx.refunds).toHaveLength(1);
    expect(hold(inv, '00000000-0000-4000-8000-000000000003', 'carol')).toMatchObject({
      status: 'rejected',
      reason: 'event_cancelled',
    });
    const again = newEffects();
    cancelEvent(inv, NOW, again);
    expect(again.bookings).toEqual([]);
    expect(again.refunds.map((r) => r.chargeId)).toEqual(['ch_1']);
  });
});

describe('barcodes', () => {
  const keys = ticketKeys('11'.repeat(32));
  const payload = { t: '20000000-0000-4000-8000-000000000001', e: 'e1', s: 'A-1-2', v: 1 };

  it('signs deterministically and verifies offline with the published public key', () => {
    const code = signBarcode(keys, payload);
    expect(signBarcode(keys, payload)).toBe(code);
    expect(verifyBarcode(createPublicKey(keys.publicKeyPem), code)).toEqual(payload);
  });

  it('rejects a tampered payload, a foreign key and garbage', () => {
    const code = signBarcode(keys, payload);
    const [, sig] = code.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...payload, s: 'A-1-1' })).toString('base64url')}.${sig}`;
    expect(verifyBarcode(keys.publicKey, forged)).toBeNull();
    expect(verifyBarcode(ticketKeys('22'.repeat(32)).publicKey, code)).toBeNull();
    expect(verifyBarcode(keys.publicKey, 'not.a-barcode')).toBeNull();
    expect(verifyBarcode(keys.publicKey, '')).toBeNull();
    expect(signBarcode(keys, { ...payload, v: 2 })).not.toBe(code);
  });
});

describe('webhook signatures and references', () => {
  const secret = 'a-webhook-secret-for-tests';
  const body = Buffer.from('{"id":"evt_1"}');
  it('accepts a fresh signature and refuses forged, stale and malformed ones', () => {
    const now = 1_800_000_000;
    expect(verifyWebhook(secret, body, signWebhook(secret, body, now), 300, now)).toEqual({ ok: true });
    expect(verifyWebhook(secret, body, signWebhook('another-secret-entirely', body, now), 300, now)).toEqual({
      ok: false,
      why: 'mismatch',
    });
    expect(verifyWebhook(secret, Buffer.from('{"id":"evt_2"}'), signWebhook(secret, body, now), 300, now)).toEqual({
      ok: false,
      why: 'mismatch',
    });
    expect(verifyWebhook(secret, body, signWebhook(secret, body, now - 301), 300, now)).toEqual({
      ok: false,
      why: 'stale',
    });
    expect(verifyWebhook(secret, body, undefined, 300, now)).toEqual({ ok: false, why: 'missing' });
    expect(verifyWebhook(secret, body, 'v1=abc', 300, now)).toEqual({ ok: false, why: 'malformed' });
  });
  it('finds the booking of a provider reference', () => {
    expect(bookingOfReference(`${B1}:a3`)).toBe(B1);
    expect(bookingOfReference(`${B1}:r:ch_1`)).toBe(B1);
    expect(bookingOfReference('order-42')).toBeNull();
  });
});
