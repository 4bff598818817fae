/** `/client-config.json`: server settings the app needs (fees for the order summary, request limit). */
export interface ClientConfig {
  notifier_url: string;
  fee_percent: number;
  fee_fixed_cents: number;
  max_per_request: number;
}
let cached: Promise<ClientConfig> | null = null;
export function clientConfig(): Promise<ClientConfig> {
  cached ??= fetch('/client-config.json').then((r) => r.json() as Promise<ClientConfig>);
  return cached;
}
/** The same fees the worker charges (booking-workers/allocator/payments.ts `priceOf`). */
export function feesOf(amountCents: number, tickets: number, c: Pick<ClientConfig, 'fee_percent' | 'fee_fixed_cents'>) {
  const feesCents = Math.round((amountCents * c.fee_percent) / 100) + c.fee_fixed_cents * tickets;
  return { feesCents, totalCents: amountCents + feesCents };
}
