import type pg from 'pg';
import type { OutcomeChecks } from './jobs';

const DECIDED = new Set(['held', 'rejected']);

/**
 * Follows every accepted booking to its outcome. A request resolves on its first decided outcome;
 * later announcements of the same booking are counted: the same status again is a re-announcement
 * (allowed after a redelivery), a different one is a conflict (counted as lost: not exactly one
 * outcome). At the end, what was announced is compared with what PostgreSQL holds.
 */
export class OutcomeTracker {
  /** booking id → first announced decided status. */
  readonly decided = new Map<string, string>();
  readonly decidedToReceived: number[] = [];
  private readonly waiting = new Map<string, (status: string) => void>();
  private readonly accepted = new Set<string>();
  private conflicting = 0;
  private repeated = 0;
  private noOutcome = 0;

  /** Call before submitting, so an outcome that overtakes the submit's own acknowledgement is not missed. */
  expect(bookingId: string, timeoutMs: number): Promise<string> {
    const known = this.decided.get(bookingId);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(bookingId);
        resolve('lost');
      }, timeoutMs);
      this.waiting.set(bookingId, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
  }

  accept(bookingId: string): void {
    this.accepted.add(bookingId);
  }

  /** The submit was refused (never accepted): stop waiting for it. */
  forget(bookingId: string): void {
    this.waiting.get(bookingId)?.('refused');
    this.waiting.delete(bookingId);
  }

  onOutcome(bookingId: string, status: string, decidedAt?: string): void {
    if (!DECIDED.has(status)) return;
    const first = this.decided.get(bookingId);
    if (first !== undefined) {
      if (first === status) this.repeated++;
      else this.conflicting++;
      return;
    }
    this.decided.set(bookingId, status);
    if (decidedAt) this.decidedToReceived.push(Date.now() - Date.parse(decidedAt));
    const resolve = this.waiting.get(bookingId);
    this.waiting.delete(bookingId);
    resolve?.(status);
  }

  /** Counts accepted requests left without an outcome, then checks the announcements against PostgreSQL. */
  async check(pool: pg.Pool, eventId: string): Promise<OutcomeChecks> {
    for (const id of this.accepted) if (!this.decided.has(id)) this.noOutcome++;
    const { rows } = await pool.query<{ id: string; status: string }>(
      'SELECT id, status FROM bookings WHERE event_id = $1',
      [eventId],
    );
    const durable = new Map(rows.map((r) => [r.id, r.status]));
    let notDurable = 0;
    for (const [id, status] of this.decided) if (this.accepted.has(id) && durable.get(id) !== status) notDurable++;
    return {
      lost: this.noOutcome + this.conflicting + notDurable,
      no_outcome: this.noOutcome,
      conflicting_outcomes: this.conflicting,
      repeated_announcements: this.repeated,
      not_durable_as_announced: notDurable,
    };
  }
}
