import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Logger } from '../shared/logger';
import type { Charge, Refund, SentWebhook, SimState } from './model';

/*
 * The simulator's durability (SimDurability.journal_file): JSON lines appended for every charge,
 * refund, outcome and webhook before it answers, read back and replayed when it starts.
 */

/** One line of the journal. */
export type JournalRecord =
  | { k: 'charge'; v: Charge }
  | { k: 'refund'; v: Refund }
  | { k: 'decided'; id: string; status: 'succeeded' | 'failed' }
  | { k: 'webhook'; v: Pick<SentWebhook, 'id' | 'url' | 'body' | 'type'> }
  | { k: 'delivered'; id: string };

/** Appends records to the journal file; without a file, records go nowhere (memory only). */
export interface Journal {
  /** Written before the answer (or the webhook) it records; survives a kill -9 (not a power cut: no fsync). */
  write(rec: JournalRecord): void;
  close(): void;
}

export function openJournal(file: string | undefined): Journal {
  const fd = file ? openSync(file, 'a') : null;
  return {
    write: (rec) => {
      if (fd !== null) writeSync(fd, JSON.stringify(rec) + '\n');
    },
    close: () => {
      if (fd !== null) closeSync(fd);
    },
  };
}

/** The journal's records, in order; a last line cut short by a crash is skipped. */
export function readJournal(file: string, logger: Logger): JournalRecord[] {
  if (!existsSync(file)) return [];
  const out: JournalRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      logger.warn('journal line skipped (cut short by a crash?)', { length: line.length });
    }
  }
  return out;
}

/**
 * Puts back what the journal holds, as it was. Returns the webhooks never delivered (to send again);
 * pending charges and refunds stay pending in `state` for the caller to decide.
 */
export function replayJournal(replayed: readonly JournalRecord[], state: SimState): Map<string, SentWebhook> {
  const undelivered = new Map<string, SentWebhook>();
  for (const rec of replayed) {
    if (rec.k === 'charge') {
      state.charges.set(rec.v.id, rec.v);
      state.chargesByKey.set(rec.v.idempotency_key, rec.v);
    } else if (rec.k === 'refund') {
      state.refunds.set(rec.v.id, rec.v);
      state.refundsByKey.set(rec.v.idempotency_key, rec.v);
      const charge = state.charges.get(rec.v.charge_id);
      if (charge) charge.refunded_cents += rec.v.amount_cents;
    } else if (rec.k === 'decided') {
      const item = state.charges.get(rec.id) ?? state.refunds.get(rec.id);
      if (item) item.status = rec.status;
    } else if (rec.k === 'webhook') {
      const w: SentWebhook = { ...rec.v, deliveries: 0, delivered: false };
      state.webhooks.push(w);
      undelivered.set(w.id, w);
    } else {
      const w = undelivered.get(rec.id);
      if (w) w.delivered = true;
      undelivered.delete(rec.id);
    }
  }
  return undelivered;
}
