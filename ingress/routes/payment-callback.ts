import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { IngressContext } from '../context';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { AppError } from '../../shared/errors';
import { SIGNATURE_HEADER, verifyWebhook } from '../../shared/payments/webhook-signature';
import { bookingOfReference } from '../../shared/payments/references';
import type { PartitionCommand } from '../../shared/contracts/messages';
import { eventPartition } from '../read-model/event-partition';

const webhookSchema = z.object({
  id: z.string().min(1).max(128),
  type: z.enum(['charge.succeeded', 'charge.failed', 'refund.succeeded', 'refund.failed']),
  charge_id: z.string().min(1).max(128),
  refund_id: z.string().min(1).max(128).optional(),
  reference: z.string().min(1).max(200),
  amount_cents: z.number().int().nonnegative(),
  failure_reason: z.string().max(200).optional(),
  created_at: z.string().max(64).optional(),
});
type Webhook = z.infer<typeof webhookSchema>;

/**
 * `POST /v1/payments/callback`: the provider's signed webhooks. It must see the raw bytes to check the
 * HMAC, so app.ts mounts this router before the global JSON parser.
 * 1. Verify `X-Onsale-Signature` (constant-time, with a timestamp tolerance): 401 `invalid_signature`
 *    and nothing changes otherwise.
 * 2. Deduplicate by the provider's event id (`payment_callbacks`, primary key). A callback seen before
 *    and already routed answers 200; one seen but not routed (the broker failed last time) is routed again.
 * 3. Route the result into the event's partition with a publisher confirm; the single writer decides
 *    (and is the final dedupe: its transitions are idempotent). If routing fails: 503, and the provider retries.
 */
export function paymentCallbackRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(
    r,
    ctx.config.JWT_SECRET,
    ROUTES.paymentCallback,
    async (req: Request, res: Response) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifyWebhook(
        ctx.config.PAYMENT_WEBHOOK_SECRET,
        raw,
        req.get(SIGNATURE_HEADER),
        ctx.config.PAYMENT_WEBHOOK_TOLERANCE_S,
      );
      if (!check.ok) {
        ctx.logger.warn('payment callback refused', { request_id: req.requestId, why: check.why });
        throw new AppError('invalid_signature');
      }
      let hook: Webhook;
      try {
        const parsed = webhookSchema.safeParse(JSON.parse(raw.toString('utf8')));
        if (!parsed.success)
          throw new AppError(
            'validation_failed',
            'The callback does not match the webhook schema',
            parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          );
        hook = parsed.data;
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new AppError('invalid_json');
      }

      const log = ctx.logger.child({
        request_id: req.requestId,
        provider_event_id: hook.id,
        charge_id: hook.charge_id,
        type: hook.type,
      });
      const bookingId = bookingOfReference(hook.reference);
      const booking = bookingId
        ? (
            await ctx.pool.query<{ event_id: string }>({
              name: 'callback-booking-event',
              text: 'SELECT event_id FROM bookings WHERE id = $1',
              values: [bookingId],
            })
          ).rows[0]
        : undefined;
      const inserted = await ctx.pool.query({
        name: 'insert-payment-callback',
        text: `INSERT INTO payment_callbacks (provider_event_id, type, booking_id, charge_id, payload, outcome)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider_event_id) DO NOTHING`,
        values: [
          hook.id,
          hook.type,
          booking ? bookingId : null,
          hook.charge_id,
          raw.toString('utf8'),
          booking ? null : 'unknown_reference',
        ],
      });
      if (!booking) {
        // Not ours (or not any more): recorded, logged, acknowledged so the provider stops sending it.
        log.warn('payment callback for an unknown reference ignored', { reference: hook.reference });
        res.json({ received: true, ignored: 'unknown_reference' });
        return;
      }
      if (inserted.rowCount === 0) {
        const { rows } = await ctx.pool.query<{ routed_at: Date | null }>({
          name: 'payment-callback-routed',
          text: 'SELECT routed_at FROM payment_callbacks WHERE provider_event_id = $1',
          values: [hook.id],
        });
        if (rows[0]?.routed_at) {
          log.info('duplicate payment callback');
          res.json({ received: true, duplicate: true });
          return;
        }
      }

      const partition = await eventPartition(ctx, booking.event_id);
      if (partition === null)
        throw new AppError('dependency_unavailable', 'The booking names an unknown event', undefined, 5);
      const command = toCommand(hook, bookingId!, booking.event_id, req.requestId);
      try {
        await ctx.broker.publisher().publishCommand(partition, command);
      } catch (err) {
        log.warn('payment callback not routed; the provider will retry', { err: (err as Error).message });
        throw new AppError('queue_unavailable', 'The result could not be queued; retry.', undefined, 2);
      }
      await ctx.pool.query({
        name: 'payment-callback-mark-routed',
        text: `UPDATE payment_callbacks SET routed_at = now(), outcome = 'routed' WHERE provider_event_id = $1`,
        values: [hook.id],
      });
      log.info('payment callback routed', { booking_id: bookingId, partition });
      res.json({ received: true });
    },
    express.raw({ type: 'application/json', limit: '64kb' }),
  );
  return r;
}

function toCommand(hook: Webhook, bookingId: string, eventId: string, correlationId: string): PartitionCommand {
  const base = {
    event_id: eventId,
    booking_id: bookingId,
    provider_event_id: hook.id,
    charge_id: hook.charge_id,
    correlation_id: correlationId,
  };
  if (hook.type === 'refund.succeeded' || hook.type === 'refund.failed') {
    return {
      type: 'refund.result',
      ...base,
      outcome: hook.type === 'refund.succeeded' ? 'succeeded' : 'failed',
      refund_id: hook.reference,
    };
  }
  return {
    type: 'payment.result',
    ...base,
    outcome: hook.type === 'charge.succeeded' ? 'succeeded' : 'failed',
    attempt_id: hook.reference,
    amount_cents: hook.amount_cents,
    ...(hook.failure_reason ? { reason: hook.failure_reason } : {}),
  };
}
