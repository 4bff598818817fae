import type { ConsumeMessage } from 'amqplib';
import type { BookingResult, PaymentRequest } from '../shared/contracts/messages';
import { emptyBatchWrite, type BatchWrite } from './sql/commit-batch';

/**
 * Everything one batch does, gathered while deciding: the rows to write (one transaction) and what to
 * announce after the commit. Handlers fill it directly; nothing is copied between holders.
 */
export interface Batch {
  write: BatchWrite;
  results: BookingResult[];
  /** Per event: seat indexes whose status changed. */
  seatChanges: Map<string, Set<number>>;
  /** Events whose progress, watermark and snapshot are announced. */
  touched: Set<string>;
  fullSnapshots: Set<string>;
  /** Events whose cached public page no longer tells the truth (cancelled, repriced, extended). */
  stalePages: Set<string>;
  /** Messages that did not parse: dead-lettered with their reason after the commit. */
  poison: Array<{ msg: ConsumeMessage; reason: string }>;
  /** Every event the batch's commands named: their in-memory state is void if the batch fails. */
  named: Set<string>;
  /** Provider calls to queue once the batch is committed (by id: a charge or refund is asked once per batch). */
  payments: Map<string, PaymentRequest>;
}

export function newBatch(partition: number, epoch: number): Batch {
  return {
    write: emptyBatchWrite(partition, epoch),
    results: [],
    seatChanges: new Map(),
    touched: new Set(),
    fullSnapshots: new Set(),
    stalePages: new Set(),
    poison: [],
    named: new Set(),
    payments: new Map(),
  };
}

/** Notes seats (by index) whose status the batch changed, for the snapshot patch and `seats.changed`. */
export function markSeatsChanged(batch: Batch, eventId: string, seatIdx: Iterable<number>): void {
  let changed = batch.seatChanges.get(eventId);
  if (!changed) batch.seatChanges.set(eventId, (changed = new Set()));
  for (const idx of seatIdx) changed.add(idx);
}
