import { randomBytes } from 'node:crypto';
import type { Logger } from '../shared/logger';
import { SIGNATURE_HEADER, signWebhook } from '../shared/payments/webhook-signature';
import type { Journal } from './journal';
import type { Charge, Refund, SentWebhook, SimState, WebhookType } from './model';

/*
 * How the simulator answers later: the outcome of a charge or refund, `latency_ms` after it was taken,
 * sent as an HMAC-signed webhook and retried with backoff until the receiver answers 2xx (with the
 * configured duplicates and reordering).
 */

export const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Timers the simulator runs; once stopped, nothing scheduled runs any more. */
export interface Scheduler {
  readonly closing: boolean;
  later: (ms: number, fn: () => void) => void;
  stop: () => void;
}

export function scheduler(): Scheduler {
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  return {
    get closing() {
      return closing;
    },
    later: (ms, fn) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!closing) fn();
      }, ms);
      timers.add(t);
    },
    stop: () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/** Decides charges and refunds and delivers their webhooks. */
export interface Outcomes {
  /** A charge's outcome, `latency_ms` after it was taken (or after a restart found it pending). */
  decideCharge: (charge: Charge) => void;
  settleRefund: (refund: Refund) => void;
  /** Sends a webhook (again): once, or twice at the configured duplicate rate. */
  send: (w: SentWebhook) => void;
}

export function outcomes(state: SimState, journal: Journal, timers: Scheduler, logger: Logger): Outcomes {
  const { config, webhooks } = state;
  const { later } = timers;

  /** Delivers one webhook, retrying with backoff until a 2xx or the attempt limit. */
  const deliver = (w: SentWebhook, attempt = 1): void => {
    if (timers.closing) return;
    w.deliveries++;
    fetch(w.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(config.secret, w.body) },
      body: w.body,
      signal: AbortSignal.timeout(5000),
    })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          if (!w.delivered) journal.write({ k: 'delivered', id: w.id });
          w.delivered = true;
          return;
        }
        throw new Error(`HTTP ${res.status}`);
      })
      .catch((err: unknown) => {
        if (attempt >= config.webhook_max_attempts) {
          logger.warn('webhook given up', { webhook_id: w.id, attempts: attempt, err: (err as Error).message });
          return;
        }
        later(Math.min(5000, 100 * 2 ** (attempt - 1)), () => deliver(w, attempt + 1));
      });
  };

  const send = (w: SentWebhook) => {
    const jitter = () => (config.reorder ? Math.floor(Math.random() * config.latency_ms * 3) : 0);
    later(jitter(), () => deliver(w));
    if (Math.random() < config.duplicate_rate) later(jitter() + 20, () => deliver(w));
  };

  const emit = (url: string, type: WebhookType, data: Record<string, unknown>) => {
    const id = rid('evt');
    const w: SentWebhook = {
      id,
      url,
      type,
      body: JSON.stringify({ id, type, ...data, created_at: new Date().toISOString() }),
      deliveries: 0,
      delivered: false,
    };
    journal.write({ k: 'webhook', v: { id: w.id, url: w.url, body: w.body, type: w.type } });
    webhooks.push(w);
    send(w);
  };

  const decideCharge = (charge: Charge) => {
    later(config.latency_ms, () => {
      const declined = charge.payment_method === 'pm_card_declined' || Math.random() < config.decline_rate;
      charge.status = declined ? 'failed' : 'succeeded';
      journal.write({ k: 'decided', id: charge.id, status: charge.status });
      emit(charge.callback_url, declined ? 'charge.failed' : 'charge.succeeded', {
        charge_id: charge.id,
        reference: charge.reference,
        amount_cents: charge.amount_cents,
        ...(declined ? { failure_reason: 'card_declined' } : {}),
      });
    });
  };

  const settleRefund = (refund: Refund) => {
    later(config.latency_ms, () => {
      refund.status = 'succeeded';
      journal.write({ k: 'decided', id: refund.id, status: 'succeeded' });
      emit(refund.callback_url, 'refund.succeeded', {
        refund_id: refund.id,
        charge_id: refund.charge_id,
        reference: refund.reference,
        amount_cents: refund.amount_cents,
      });
    });
  };

  return { decideCharge, settleRefund, send };
}
