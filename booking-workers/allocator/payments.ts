/**
 * Checkout, payment, refund, cancellation and transfer decisions: pure transitions over one event's
 * in-memory inventory, like the allocator. No I/O and no clock (callers pass `now`), no randomness
 * (callers pass `newId`). Each function mutates the inventory and records what must be persisted and
 * published in an {@link Effects} accumulator (effects.ts); the partition consumer turns that into one batch.
 *
 * Every transition is idempotent against a redelivered or duplicated command: a command that finds
 * the booking already past it changes nothing and re-announces the current state (and, for a
 * pending payment or refund, re-requests it: the provider dedupes by idempotency key).
 */
export { attemptId, refundId } from '../../shared/payments/references';
export type {
  ChargeIntent,
  Effects,
  EmailIntent,
  EmailTemplate,
  OrderIntent,
  PaymentPolicy,
  RecordedEffects,
  RefundIntent,
  Sink,
} from './effects';
export { newEffects } from './effects';
export { priceOf, reRequestPending } from './transition-steps';
// Checkout and the payment result.
export { applyPaymentResult, startCheckout } from './checkout';
// Cancellation, refunds and the organizer's event cancellation.
export { applyRefundResult, cancelConfirmed, cancelEvent } from './cancellation';
export { transferTicket } from './transfer';
