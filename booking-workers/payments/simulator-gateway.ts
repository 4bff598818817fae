import type { ChargeCall, ChargeLookup, GatewayAnswer, PaymentGateway, RefundCall } from './gateway';
import { GatewayError } from './gateway';

/** The HTTP client of the provider simulator (`payment-sim/`), the default provider in development and tests. */
export class SimulatorGateway implements PaymentGateway {
  readonly name = 'simulator';

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  charge(req: ChargeCall): Promise<GatewayAnswer> {
    return this.post('/v1/charges', {
      idempotency_key: req.idempotencyKey,
      amount_cents: req.amountCents,
      reference: req.reference,
      payment_method: req.paymentMethod,
      callback_url: req.callbackUrl,
    });
  }

  refund(req: RefundCall): Promise<GatewayAnswer> {
    return this.post('/v1/refunds', {
      idempotency_key: req.idempotencyKey,
      charge_id: req.chargeId,
      amount_cents: req.amountCents,
      reference: req.reference,
      callback_url: req.callbackUrl,
    });
  }

  async lookup(idempotencyKey: string): Promise<ChargeLookup | null> {
    let res: Response;
    try {
      res = await fetch(new URL(`/v1/charges?idempotency_key=${encodeURIComponent(idempotencyKey)}`, this.baseUrl), {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new GatewayError(`provider unreachable: ${(err as Error).message}`, true);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 404) return null;
    if (!res.ok)
      throw new GatewayError(
        `provider answered ${res.status}: ${text.slice(0, 200)}`,
        res.status >= 500 || res.status === 429 || res.status === 408,
        res.status,
      );
    const json = JSON.parse(text) as { id?: unknown; status?: unknown; amount_cents?: unknown };
    if (typeof json.id !== 'string' || typeof json.amount_cents !== 'number')
      throw new GatewayError('provider lookup answer lacks id or amount', true, res.status);
    const status = json.status === 'succeeded' || json.status === 'failed' ? json.status : 'pending';
    return { providerId: json.id, status, amountCents: json.amount_cents };
  }

  private async post(path: string, body: unknown): Promise<GatewayAnswer> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': (body as { idempotency_key: string }).idempotency_key,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new GatewayError(`provider unreachable: ${(err as Error).message}`, true);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok)
      throw new GatewayError(
        `provider answered ${res.status}: ${text.slice(0, 200)}`,
        res.status >= 500 || res.status === 429 || res.status === 408,
        res.status,
      );
    let json: { id?: unknown; status?: unknown };
    try {
      json = JSON.parse(text) as { id?: unknown; status?: unknown };
    } catch {
      throw new GatewayError('provider answered with a body that is not JSON', true, res.status);
    }
    if (typeof json.id !== 'string') throw new GatewayError('provider answer has no id', true, res.status);
    const status = json.status === 'succeeded' || json.status === 'failed' ? json.status : 'pending';
    return { providerId: json.id, status };
  }
}
