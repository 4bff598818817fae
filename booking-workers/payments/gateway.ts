/**
 * What the payment stage needs from a payment provider. Calls are asynchronous in the provider's
 * sense: they answer `pending` with the provider's id, and the outcome arrives later as a signed
 * webhook (`POST /v1/payments/callback`). Each call carries an idempotency key: repeating it (a retry,
 * a redelivered request) never charges or refunds twice.
 */
export interface PaymentGateway {
  readonly name: string;
  charge(req: ChargeCall): Promise<GatewayAnswer>;
  refund(req: RefundCall): Promise<GatewayAnswer>;
  /**
   * The charge made with this idempotency key, as the provider knows it now, or null when it never
   * took one. Used to reconcile before giving up on a charge whose answer or webhook was lost.
   */
  lookup(idempotencyKey: string): Promise<ChargeLookup | null>;
}

export interface ChargeLookup extends GatewayAnswer {
  amountCents: number;
}

export interface ChargeCall {
  idempotencyKey: string;
  amountCents: number;
  /** Comes back in the webhook: `<booking id>:a<n>`. */
  reference: string;
  paymentMethod: string;
  callbackUrl: string;
}

export interface RefundCall {
  idempotencyKey: string;
  chargeId: string;
  amountCents: number;
  /** Comes back in the webhook: `<booking id>:r:<charge id>`. */
  reference: string;
  callbackUrl: string;
}

export interface GatewayAnswer {
  providerId: string;
  status: 'pending' | 'succeeded' | 'failed';
}

/**
 * A provider call that failed. `transient` (network, timeout, 5xx, 429) is retried with backoff and
 * counts against the circuit breaker; a permanent one (4xx: the provider refused this request) is
 * neither retried nor counted.
 */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}
