import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { lookupBooking } from '../../shared/read/booking-status';
import { eventPartition } from '../read-model/event-partition';

/**
 * `POST /v1/bookings/{id}/checkout`: the owner of a `held` booking starts paying. Ingress only checks
 * and queues; the event's single writer prices the booking, moves it to `payment_pending` (extending
 * the hold by the payment grace) and queues the charge. A checkout racing the hold's expiry is decided
 * there, once. The result arrives as `booking.result` (`payment_pending`, then `confirmed`, or `held`
 * again with `payment_declined` / `payment_unavailable`).
 */
export function checkoutRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.checkout, async (req: Request, res: Response, { body }) => {
    const principal = principalOf(req);
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) throw new AppError('invalid_id');
    const booking = await lookupBooking(ctx.pool, ctx.redis, ctx.keys, id.data);
    if (!booking || booking.user_id !== principal.user_id) throw new AppError('booking_not_found');
    if (booking.status === 'payment_pending') {
      // Already paying (a double click): the attempt in flight stands.
      res.status(202).json({ booking_id: booking.booking_id, status: booking.status, checkout: 'in_progress' });
      return;
    }
    if (booking.status !== 'held') throw new AppError('booking_not_payable', `The booking is ${booking.status}`);
    const partition = await eventPartition(ctx, booking.event_id);
    if (partition === null) throw new AppError('booking_not_found');
    await ctx.broker
      .publisher()
      .publishCommand(partition, {
        type: 'checkout',
        event_id: booking.event_id,
        booking_id: booking.booking_id,
        user_id: principal.user_id,
        payment_method: body.payment_method,
        correlation_id: req.requestId,
      })
      .catch(() => {
        throw new AppError(
          'queue_unavailable',
          'The broker did not confirm the checkout; it may have been queued. GET the booking, or retry (a second checkout of the same booking is answered in_progress).',
          undefined,
          1,
        );
      });
    ctx.logger.info('checkout queued', {
      request_id: req.requestId,
      correlation_id: req.requestId,
      booking_id: booking.booking_id,
      event_id: booking.event_id,
    });
    res.status(202).json({ booking_id: booking.booking_id, status: booking.status, checkout: 'queued' });
  });
  return r;
}
