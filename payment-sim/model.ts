/*
 * What the payment simulator (payment-sim/server.ts) is configured with and what it holds: its
 * settings, access and durability options, charges, refunds and the webhooks it sent.
 */

/** Behaviour of the simulator, changeable live through `PUT /v1/sim/config` (except the secret). */
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

export interface SentWebhook {
  id: string;
  url: string;
  /** The exact body sent (sign it again to replay it). */
  body: string;
  type: WebhookType;
  deliveries: number;
  delivered: boolean;
}

export type WebhookType = 'charge.succeeded' | 'charge.failed' | 'refund.succeeded';

export interface Charge {
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

export interface Refund {
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

/** Everything the simulator knows, shared by its routes, its webhook sender and its journal replay. */
export interface SimState {
  config: SimConfig;
  charges: Map<string, Charge>;
  chargesByKey: Map<string, Charge>;
  refunds: Map<string, Refund>;
  refundsByKey: Map<string, Refund>;
  webhooks: SentWebhook[];
  stats: { charge_calls: number; refund_calls: number };
}
