import { randomBytes, randomUUID } from 'node:crypto';
import type { EventInventory } from './allocator/inventory';
import { decideBook, expiredHolds, parkedCommand, release, waitsForOnSale } from './allocator/allocate';
import { applyDraw, DRAW_ALGORITHM } from './allocator/draw';
import { offerToWaitlist, type WaitlistEntry } from './allocator/waitlist';
import { take } from './throttle';
import type { Batch } from './batch';
import type { Writer } from './command-handlers';

/*
 * The single writer's own work in a batch, beside the commands (PartitionRunner.run, steps 3 and 5):
 * expiring holds, offering what came back to waitlists, drawing waiting rooms, draining parked
 * requests. Each decides through the allocator and records into the batch through the {@link Writer}.
 */

/** Releases every hold whose time is up, in every loaded event. */
export function expireDue(w: Writer, now: number, batch: Batch): void {
  for (const inv of w.events.values()) {
    for (const id of expiredHolds(inv, now)) {
      const next = release(inv, id, 'expired', now, 'hold_expired');
      if (next) w.record(inv, next, batch, true);
    }
  }
}

/**
 * Offers what came back to each touched event's waitlist, in order (see `allocator/waitlist.ts`):
 * each offer is a hold of WAITLIST_OFFER_SECONDS, announced (also to the user's own socket room) and e-mailed.
 */
export function offerToWaitlists(
  w: Writer,
  waitlists: Map<string, WaitlistEntry[]>,
  holdSeconds: number,
  now: number,
  batch: Batch,
): void {
  for (const eventId of batch.touched) {
    const inv = w.events.get(eventId);
    const entries = waitlists.get(eventId);
    if (!inv || !entries?.length || inv.available <= 0) continue;
    const offers = offerToWaitlist(inv, entries, now, { maxPerRequest: w.maxPerRequest, holdSeconds }, randomUUID);
    for (const o of offers) {
      w.record(inv, o.booking, batch, true);
      batch.write.waitlistOffers.push({
        entryId: o.entryId,
        bookingId: o.booking.id,
        offeredAt: new Date(now).toISOString(),
      });
      batch.write.emails.push({
        dedupeKey: `waitlist_offer:${o.booking.id}`,
        userId: o.booking.userId,
        template: 'waitlist_offer',
        payload: {
          event_id: eventId,
          booking_id: o.booking.id,
          quantity: o.booking.quantity,
          hold_expires_at: new Date(o.booking.holdExpiresAt!).toISOString(),
        },
      });
    }
    if (offers.length)
      waitlists.set(
        eventId,
        entries.filter((e) => e.status === 'waiting'),
      );
  }
}

/** Draws the event's waiting room with a fresh cryptographic seed (see `allocator/draw.ts`). */
export function drawWaitingRoom(
  w: Writer,
  inv: EventInventory,
  now: number,
  batch: Batch,
  fence: { workerId: string; epoch: number },
): void {
  const seed = randomBytes(32);
  const { result, states } = applyDraw(inv, seed, now);
  for (const b of states) w.record(inv, b, batch, true);
  batch.write.draws.push({
    eventId: inv.eventId,
    drawnAt: new Date(now).toISOString(),
    entries: states.length,
    algorithm: DRAW_ALGORITHM,
    seed: seed.toString('hex'),
    inputDigest: result.inputDigest,
    orderDigest: result.orderDigest,
    workerId: fence.workerId,
    epoch: fence.epoch,
    arrival: result.drawn.map((d) => ({ bookingId: d.bookingId, arrivalSeq: d.arrivalSeq })),
  });
  w.log.info('waiting room drawn', {
    event_id: inv.eventId,
    entries: states.length,
    order_digest: result.orderDigest,
  });
}

/** Decides parked requests as the event's pause, on-sale time and throttle allow. */
export function drainBacklog(w: Writer, inv: EventInventory, now: number, batch: Batch): void {
  // Parked requests wait for a pause to end and, in the waiting room, for the on-sale time.
  if (!inv.backlog.length || inv.settings.paused || waitsForOnSale(inv, now, w.waitingRoomMs)) return;
  let budget = inv.backlog.length;
  if (inv.settings.throttlePerS !== null) budget = take(w.bucket(inv, now), budget, now);
  while (budget-- > 0 && inv.backlog.length) {
    const id = inv.backlog.shift()!;
    const parked = inv.bookings.get(id);
    if (!parked || parked.status !== 'queued') continue;
    inv.bookings.delete(id);
    w.record(inv, decideBook(inv, parkedCommand(inv, parked), now, { maxPerRequest: w.maxPerRequest }), batch, true);
  }
}
