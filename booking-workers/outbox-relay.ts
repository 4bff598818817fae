import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { Pool } from '../shared/db/pool';
import { fromCents } from '../shared/money';
import type { WorkerMetrics } from './metrics';
import type { EmailMessage, EmailSender } from './email-sender';
import { claimEmails, markEmailFailed, markEmailSent, type OutboxRow } from './sql/email-outbox';

/**
 * Sends the e-mail outbox. The single writer inserts rows in the same transaction as the decision
 * (confirmation, refund, ticket received); this loop claims unsent rows (`FOR UPDATE SKIP LOCKED`
 * plus a lease, so any number of workers share the work), hands them to the {@link EmailSender} and
 * marks them sent, or reschedules them with backoff. Delivery is at least once.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly d: { config: Config; pool: Pool; logger: Logger; sender: EmailSender; metrics: WorkerMetrics },
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.d.config.OUTBOX_POLL_MS);
    this.timer.unref();
  }

  kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain()
      .catch((err: unknown) => {
        this.d.logger.warn('outbox relay pass failed', { err: (err as Error).message });
      })
      .finally(() => {
        this.running = null;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.d.sender.close?.();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = await claimEmails(this.d.pool, 50);
      if (!rows.length || this.stopped) return;
      for (const row of rows) {
        try {
          await this.d.sender.send(render(row));
          await markEmailSent(this.d.pool, row.id);
          this.d.metrics.emailsSent.inc({ template: row.template, outcome: 'sent' });
        } catch (err) {
          await markEmailFailed(this.d.pool, row.id, (err as Error).message, row.attempts);
          this.d.metrics.emailsSent.inc({ template: row.template, outcome: 'failed' });
          this.d.logger.warn('e-mail not sent; will retry', {
            outbox_id: row.id,
            attempts: row.attempts,
            err: (err as Error).message,
          });
        }
      }
    }
  }
}

/** Turns an outbox row into a message. Plain text on purpose: the ticket links carry the details. */
export function render(row: OutboxRow): EmailMessage {
  const p = row.payload as Record<string, unknown>;
  const money = (c: unknown) => (typeof c === 'number' ? fromCents(c).toFixed(2) : '?');
  const base = { to: row.email, userId: row.user_id, key: row.dedupe_key };
  switch (row.template) {
    case 'booking_confirmed': {
      const tickets = (p.ticket_ids as string[] | undefined) ?? [];
      return {
        ...base,
        subject: `Your tickets for ${row.event_name ?? 'your event'}`,
        text: [
          `Booking ${String(p.booking_id)} is confirmed. Total paid: ${money(p.total_cents)}.`,
          '',
          ...tickets.map((id) => `Ticket: /v1/tickets/${id} (QR: /v1/tickets/${id}/qr.svg)`),
        ].join('\n'),
      };
    }
    case 'payment_refunded':
      return {
        ...base,
        subject: `Refund for ${row.event_name ?? 'your booking'}`,
        text: `We are refunding ${money(p.amount_cents)} for booking ${String(p.booking_id)}. Reason: ${String(p.reason)}.`,
      };
    case 'ticket_received':
      return {
        ...base,
        subject: `A ticket for ${row.event_name ?? 'an event'} was transferred to you`,
        text: `Ticket /v1/tickets/${String(p.ticket_id)} is now yours (QR: /v1/tickets/${String(p.ticket_id)}/qr.svg).`,
      };
    case 'waitlist_offer':
      return {
        ...base,
        subject: `Tickets for ${row.event_name ?? 'your event'} are held for you`,
        text: `From the waitlist: booking ${String(p.booking_id)} holds ${String(p.quantity)} for you until ${String(p.hold_expires_at)}. Pay at /v1/bookings/${String(p.booking_id)}/checkout before then, or it passes to the next person.`,
      };
    default:
      return { ...base, subject: 'Onsale', text: JSON.stringify(p) };
  }
}
