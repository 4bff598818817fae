import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { createLogger, type Logger } from '../shared/logger';
import { once } from '../shared/shutdown';
import { SIGNATURE_HEADER, signWebhook } from '../shared/payments/webhook-signature';

/**
 * A payment provider simulator that behaves like a real one: charges and refunds answer `pending` at
 * once (idempotent by `idempotency_key`), then the outcome arrives later as an HMAC-signed webhook,
 * retried with backoff until the receiver answers 2xx. Latency, decline rate, outage (503 on every
 * API call), duplicate and out-of-order webhooks are configurable live through `PUT /v1/sim/config`.
 * The payment method `pm_card_declined` is always declined (like a provider's test cards).
 * With a journal file it is durable like a real provider: what it accepted survives a crash, pending
 * charges are decided after the restart and undelivered webhooks are sent again.
 */
export interface SimConfig {
  /** HMAC secret of the webhooks (PAYMENT_WEBHOOK_SECRET on the receiving side). */
  secret: string;
  /** Delay before a charge's or refund's webhook, in ms. @defaultValue 300 */
  latency_ms: number;
  /** Share of charges declined, 0..1. @defaultValue 0 */
  decline_rate: number;
  /** Every API call answers 503 while true. @defaultValue false */
  outage: boolean;
  /** Share of webhooks delivered twice, 0..1. @defaultValue 0 */
  duplicate_rate: number;
  /** Webhooks get a random extra delay (up to 3 × latency), so later events may arrive first. @defaultValue false */
  reorder: boolean;
  /** Deliveries of one webhook before the simulator gives up. @defaultValue 10 */
  webhook_max_attempts: number;
}

/** Who may reach the simulator and whom it calls back: it is a development tool, closed by default. */
export interface SimAccess {
  /** Address to bind. @defaultValue `127.0.0.1` (loopback only) */
  host?: string;
  /** Bearer token `/v1/sim/*` (control and the webhook log) require; unset = those routes answer 403. */
  control_token?: string;
  /**
   * The only callback URL charges and refunds may name (the ingress callback route); unset = only a
   * loopback address. Anything else is refused with 400 `callback_not_allowed`, so the simulator
   * cannot be used to send signed requests to arbitrary hosts.
   */
  webhook_url?: string;
}

/** Where the simulator keeps what it accepted (a real provider's database). */
export interface SimDurability {
  /**
   * JSON lines appended, before the simulator answers, for every charge, refund, outcome and delivered
   * webhook, and replayed when it starts. Unset: memory only (a crash forgets everything).
   */
  journal_file?: string;
}

/** One line of the journal. */
type JournalRecord =
  | { k: 'charge'; v: Charge }
  | { k: 'refund'; v: Refund }
  | { k: 'decided'; id: string; status: 'succeeded' | 'failed' }
  | { k: 'webhook'; v: Pick<SentWebhook, 'id' | 'url' | 'body' | 'type'> }
  | { k: 'delivered'; id: string };

export interface SentWebhook {
  id: string;
  url: string;
  /** The exact body sent (sign it again to replay it). */
  body: string;
  type: WebhookType;
  deliveries: number;
  delivered: boolean;
}

type WebhookType = 'charge.succeeded' | 'charge.failed' | 'refund.succeeded';

interface Charge {
  id: string;
  idempotency_key: string;
  amount_cents: number;
  reference: string;
  callback_url: string;
  payment_method: string;
  status: 'pending' | 'succeeded' | 'failed';
  refunded_cents: number;
  created_at: string;
}

interface Refund {
  id: string;
  idempotency_key: string;
  charge_id: string;
  amount_cents: number;
  reference: string;
  callback_url: string;
  status: 'pending' | 'succeeded';
}

export interface RunningPaymentSim {
  port: number;
  url: string;
  config: SimConfig;
  webhooks: SentWebhook[];
  charges: Map<string, Charge>;
  refunds: Map<string, Refund>;
  /** API calls received, including those refused by a simulated outage. */
  stats: { charge_calls: number; refund_calls: number };
  /** Changes the behaviour live (same as `PUT /v1/sim/config`). */
  configure(patch: Partial<Omit<SimConfig, 'secret'>>): void;
  close(): Promise<void>;
}

const chargeBody = z.object({
  idempotency_key: z.string().min(1).max(200),
  amount_cents: z.number().int().nonnegative(),
  reference: z.string().min(1).max(200),
  callback_url: z.url(),
  payment_method: z.string().min(1).max(64).default('pm_card_visa'),
});
const refundBody = z.object({
  idempotency_key: z.string().min(1).max(200),
  charge_id: z.string().min(1).max(128),
  amount_cents: z.number().int().nonnegative(),
  reference: z.string().min(1).max(200),
  callback_url: z.url(),
});
const configBody = z
  .object({
    latency_ms: z.number().int().min(0).max(60_000),
    decline_rate: z.number().min(0).max(1),
    outage: z.boolean(),
    duplicate_rate: z.number().min(0).max(1),
    reorder: z.boolean(),
    webhook_max_attempts: z.number().int().min(1).max(100),
  })
  .partial()
  .strict();

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export async function startPaymentSim(
  initial: Partial<SimConfig> & { secret: string },
  port = 0,
  logger: Logger = createLogger('payment-sim'),
  access: SimAccess = {},
  durability: SimDurability = {},
): Promise<RunningPaymentSim> {
  const config: SimConfig = {
    latency_ms: 300,
    decline_rate: 0,
    outage: false,
    duplicate_rate: 0,
    reorder: false,
    webhook_max_attempts: 10,
    ...initial,
  };
  const charges = new Map<string, Charge>();
  const chargesByKey = new Map<string, Charge>();
  const refunds = new Map<string, Refund>();
  const refundsByKey = new Map<string, Refund>();
  const webhooks: SentWebhook[] = [];
  const stats = { charge_calls: 0, refund_calls: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  const replayed = durability.journal_file ? readJournal(durability.journal_file, logger) : [];
  const journalFd = durability.journal_file ? openSync(durability.journal_file, 'a') : null;
  /** Written before the answer (or the webhook) it records; survives a kill -9 (not a power cut: no fsync). */
  const journal = (rec: JournalRecord) => {
    if (journalFd !== null) writeSync(journalFd, JSON.stringify(rec) + '\n');
  };

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closing) fn();
    }, ms);
    timers.add(t);
  };

  /** Delivers one webhook, retrying with backoff until a 2xx or the attempt limit. */
  const deliver = (w: SentWebhook, attempt = 1): void => {
    if (closing) return;
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
          if (!w.delivered) journal({ k: 'delivered', id: w.id });
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
    journal({ k: 'webhook', v: { id: w.id, url: w.url, body: w.body, type: w.type } });
    webhooks.push(w);
    send(w);
  };

  /** A charge's outcome, `latency_ms` after it was taken (or after a restart found it pending). */
  const decideCharge = (charge: Charge) =>
    later(config.latency_ms, () => {
      const declined = charge.payment_method === 'pm_card_declined' || Math.random() < config.decline_rate;
      charge.status = declined ? 'failed' : 'succeeded';
      journal({ k: 'decided', id: charge.id, status: charge.status });
      emit(charge.callback_url, declined ? 'charge.failed' : 'charge.succeeded', {
        charge_id: charge.id,
        reference: charge.reference,
        amount_cents: charge.amount_cents,
        ...(declined ? { failure_reason: 'card_declined' } : {}),
      });
    });

  const settleRefund = (refund: Refund) =>
    later(config.latency_ms, () => {
      refund.status = 'succeeded';
      journal({ k: 'decided', id: refund.id, status: 'succeeded' });
      emit(refund.callback_url, 'refund.succeeded', {
        refund_id: refund.id,
        charge_id: refund.charge_id,
        reference: refund.reference,
        amount_cents: refund.amount_cents,
      });
    });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb' }));
  const outage = (_req: Request, res: Response, next: NextFunction) => {
    if (config.outage) {
      res.status(503).json({ error: { code: 'provider_unavailable', message: 'simulated outage' } });
      return;
    }
    next();
  };

  const allowedCallback = (url: string): boolean => {
    if (access.webhook_url !== undefined) return url === access.webhook_url;
    try {
      return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
    } catch {
      return false;
    }
  };
  const refuseCallback = (res: Response) =>
    res
      .status(400)
      .json({ error: { code: 'callback_not_allowed', message: 'callback_url is not the configured webhook target' } });
  const control = (req: Request, res: Response, next: NextFunction) => {
    const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (access.control_token === undefined || given === undefined || !safeEqual(given, access.control_token)) {
      res.status(403).json({
        error: { code: 'forbidden', message: 'the simulator control endpoints need PAYMENT_SIM_CONTROL_TOKEN' },
      });
      return;
    }
    next();
  };

  app.post(
    '/v1/charges',
    (_req, _res, next) => {
      stats.charge_calls++;
      next();
    },
    outage,
    (req: Request, res: Response) => {
      const parsed = chargeBody.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: { code: 'invalid_request', message: parsed.error.message } });
        return;
      }
      if (!allowedCallback(parsed.data.callback_url)) return void refuseCallback(res);
      const b = parsed.data;
      const existing = chargesByKey.get(b.idempotency_key);
      if (existing) {
        res.status(200).json({ id: existing.id, status: existing.status, amount_cents: existing.amount_cents });
        return;
      }
      const charge: Charge = {
        id: rid('ch'),
        ...b,
        status: 'pending',
        refunded_cents: 0,
        created_at: new Date().toISOString(),
      };
      journal({ k: 'charge', v: charge });
      charges.set(charge.id, charge);
      chargesByKey.set(b.idempotency_key, charge);
      decideCharge(charge);
      res.status(202).json({ id: charge.id, status: 'pending', amount_cents: charge.amount_cents });
    },
  );

  // Lookup by idempotency key, for providers' clients that reconcile a charge whose answer or webhook was lost.
  app.get('/v1/charges', outage, (req: Request, res: Response) => {
    const key = typeof req.query.idempotency_key === 'string' ? req.query.idempotency_key : '';
    const c = key ? chargesByKey.get(key) : undefined;
    if (!c) res.status(404).json({ error: { code: 'not_found' } });
    else res.json(c);
  });

  app.get('/v1/charges/:id', (req: Request, res: Response) => {
    const c = charges.get(String(req.params.id));
    if (!c) res.status(404).json({ error: { code: 'not_found' } });
    else res.json(c);
  });

  app.post(
    '/v1/refunds',
    (_req, _res, next) => {
      stats.refund_calls++;
      next();
    },
    outage,
    (req: Request, res: Response) => {
      const parsed = refundBody.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: { code: 'invalid_request', message: parsed.error.message } });
        return;
      }
      if (!allowedCallback(parsed.data.callback_url)) return void refuseCallback(res);
      const b = parsed.data;
      const existing = refundsByKey.get(b.idempotency_key);
      if (existing) {
        res.status(200).json({ id: existing.id, status: existing.status });
        return;
      }
      const charge = charges.get(b.charge_id);
      if (!charge) {
        res.status(404).json({ error: { code: 'charge_not_found' } });
        return;
      }
      if (charge.status !== 'succeeded' || charge.refunded_cents + b.amount_cents > charge.amount_cents) {
        res.status(409).json({
          error: {
            code: 'not_refundable',
            message: `charge is ${charge.status}, ${charge.refunded_cents} already refunded`,
          },
        });
        return;
      }
      const refund: Refund = { id: rid('re'), ...b, status: 'pending' };
      journal({ k: 'refund', v: refund });
      charge.refunded_cents += b.amount_cents;
      refunds.set(refund.id, refund);
      refundsByKey.set(b.idempotency_key, refund);
      settleRefund(refund);
      res.status(202).json({ id: refund.id, status: 'pending' });
    },
  );

  app.put('/v1/sim/config', control, (req: Request, res: Response) => {
    const parsed = configBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: 'invalid_request', message: parsed.error.message } });
      return;
    }
    Object.assign(config, parsed.data);
    const { secret: _secret, ...visible } = config;
    res.json(visible);
  });
  app.get('/v1/sim/webhooks', control, (_req: Request, res: Response) => {
    res.json({ webhooks });
  });
  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  // What the journal holds comes back as it was; what was still under way goes on.
  const undelivered = new Map<string, SentWebhook>();
  for (const rec of replayed) {
    if (rec.k === 'charge') {
      charges.set(rec.v.id, rec.v);
      chargesByKey.set(rec.v.idempotency_key, rec.v);
    } else if (rec.k === 'refund') {
      refunds.set(rec.v.id, rec.v);
      refundsByKey.set(rec.v.idempotency_key, rec.v);
      const charge = charges.get(rec.v.charge_id);
      if (charge) charge.refunded_cents += rec.v.amount_cents;
    } else if (rec.k === 'decided') {
      const item = charges.get(rec.id) ?? refunds.get(rec.id);
      if (item) item.status = rec.status;
    } else if (rec.k === 'webhook') {
      const w: SentWebhook = { ...rec.v, deliveries: 0, delivered: false };
      webhooks.push(w);
      undelivered.set(w.id, w);
    } else {
      const w = undelivered.get(rec.id);
      if (w) w.delivered = true;
      undelivered.delete(rec.id);
    }
  }

  const server = http.createServer(app);
  const host = access.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as { port: number }).port;
  logger.info('payment simulator listening', { host, port: actual });
  if (replayed.length) {
    const pending = [...charges.values()].filter((c) => c.status === 'pending');
    const pendingRefunds = [...refunds.values()].filter((r) => r.status === 'pending');
    pending.forEach(decideCharge);
    pendingRefunds.forEach(settleRefund);
    for (const w of undelivered.values()) send(w);
    logger.info('journal replayed', {
      charges: charges.size,
      refunds: refunds.size,
      pending_charges: pending.length,
      pending_refunds: pendingRefunds.length,
      webhooks_resent: undelivered.size,
    });
  }
  const close = once(async () => {
    closing = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    if (journalFd !== null) closeSync(journalFd);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    config,
    webhooks,
    charges,
    refunds,
    stats,
    configure: (patch) => Object.assign(config, configBody.parse(patch)),
    close,
  };
}

/** The journal's records, in order; a last line cut short by a crash is skipped. */
function readJournal(file: string, logger: Logger): JournalRecord[] {
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
