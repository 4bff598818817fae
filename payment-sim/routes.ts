import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Journal } from './journal';
import type { Charge, Refund, SimAccess, SimState } from './model';
import { rid, type Outcomes } from './webhooks';

/*
 * The simulator's HTTP API: charges and refunds (idempotent by `idempotency_key`, answered `pending`
 * at once, journaled before the answer), the charge lookups, and the control routes `/v1/sim/*`
 * behind the control token.
 */

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
export const configBody = z
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

/** The Express app of the simulator over its state; outcomes are decided and sent by `sim`. */
export function simApp(state: SimState, access: SimAccess, journal: Journal, sim: Outcomes): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb' }));
  const outage = (_req: Request, res: Response, next: NextFunction) => {
    if (state.config.outage) {
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
      state.stats.charge_calls++;
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
      const existing = state.chargesByKey.get(b.idempotency_key);
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
      journal.write({ k: 'charge', v: charge });
      state.charges.set(charge.id, charge);
      state.chargesByKey.set(b.idempotency_key, charge);
      sim.decideCharge(charge);
      res.status(202).json({ id: charge.id, status: 'pending', amount_cents: charge.amount_cents });
    },
  );

  // Lookup by idempotency key, for providers' clients that reconcile a charge whose answer or webhook was lost.
  app.get('/v1/charges', outage, (req: Request, res: Response) => {
    const key = typeof req.query.idempotency_key === 'string' ? req.query.idempotency_key : '';
    const c = key ? state.chargesByKey.get(key) : undefined;
    if (!c) res.status(404).json({ error: { code: 'not_found' } });
    else res.json(c);
  });

  app.get('/v1/charges/:id', (req: Request, res: Response) => {
    const c = state.charges.get(String(req.params.id));
    if (!c) res.status(404).json({ error: { code: 'not_found' } });
    else res.json(c);
  });

  app.post(
    '/v1/refunds',
    (_req, _res, next) => {
      state.stats.refund_calls++;
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
      const existing = state.refundsByKey.get(b.idempotency_key);
      if (existing) {
        res.status(200).json({ id: existing.id, status: existing.status });
        return;
      }
      const charge = state.charges.get(b.charge_id);
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
      journal.write({ k: 'refund', v: refund });
      charge.refunded_cents += b.amount_cents;
      state.refunds.set(refund.id, refund);
      state.refundsByKey.set(b.idempotency_key, refund);
      sim.settleRefund(refund);
      res.status(202).json({ id: refund.id, status: 'pending' });
    },
  );

  app.put('/v1/sim/config', control, (req: Request, res: Response) => {
    const parsed = configBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: { code: 'invalid_request', message: parsed.error.message } });
      return;
    }
    Object.assign(state.config, parsed.data);
    const { secret: _secret, ...visible } = state.config;
    res.json(visible);
  });
  app.get('/v1/sim/webhooks', control, (_req: Request, res: Response) => {
    res.json({ webhooks: state.webhooks });
  });
  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  return app;
}
