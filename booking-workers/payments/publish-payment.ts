import type { ConfirmPublisher } from '../../shared/amqp/publisher';
import type { PaymentRequest } from '../../shared/contracts/messages';

/**
 * Queues a provider call (charge or refund) for the payment stage: persistent, confirmed, with the
 * idempotency key as message id, straight into the `payments` queue through the default exchange.
 */
export function publishPayment(publisher: ConfirmPublisher, request: PaymentRequest): Promise<void> {
  return publisher.publish('', publisher.names.payments, Buffer.from(JSON.stringify(request)), {
    persistent: true,
    messageId: request.id,
    ...(request.correlation_id ? { correlationId: request.correlation_id } : {}),
    type: `payment.${request.kind}`,
  });
}
