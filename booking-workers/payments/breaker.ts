import CircuitBreaker from 'opossum';
import pLimit from 'p-limit';
import type { Config } from '../../shared/config';
import { GatewayError } from './gateway';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** Numeric breaker states for the Prometheus gauge. */
export const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** How a guarded call ended. */
export type CallOutcome<T> =
  | { ok: true; value: T }
  /** The provider refused this request (4xx): do not retry. */
  | { ok: false; kind: 'refused'; error: string }
  /** Breaker open, or transient errors through every retry: the provider is unavailable. */
  | { ok: false; kind: 'unavailable'; error: string };

/**
 * Every provider call of a worker goes through here: a p-limit concurrency cap, an opossum circuit
 * breaker (timeout, error-percentage threshold, half-open trial after `resetTimeout`) and, around them,
 * backoff retries of transient errors. While the breaker is open, calls fail fast without touching the
 * provider: the caller turns that into `payment_unavailable`.
 */
export class GuardedProvider {
  readonly breaker: CircuitBreaker<[() => Promise<unknown>]>;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly config: Pick<
      Config,
      | 'PAYMENT_CONCURRENCY'
      | 'PAYMENT_TIMEOUT_MS'
      | 'PAYMENT_RETRIES'
      | 'PAYMENT_RETRY_BASE_MS'
      | 'PAYMENT_BREAKER_ERROR_PERCENT'
      | 'PAYMENT_BREAKER_VOLUME'
      | 'PAYMENT_BREAKER_RESET_MS'
      | 'PAYMENT_BREAKER_WINDOW_MS'
    >,
    onState: (state: BreakerState) => void,
  ) {
    this.limit = pLimit(config.PAYMENT_CONCURRENCY);
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      timeout: config.PAYMENT_TIMEOUT_MS,
      errorThresholdPercentage: config.PAYMENT_BREAKER_ERROR_PERCENT,
      volumeThreshold: config.PAYMENT_BREAKER_VOLUME,
      resetTimeout: config.PAYMENT_BREAKER_RESET_MS,
      rollingCountTimeout: config.PAYMENT_BREAKER_WINDOW_MS,
      rollingCountBuckets: 10,
      // A refusal (4xx) says nothing about the provider's health.
      errorFilter: (err: unknown) => err instanceof GatewayError && !err.transient,
    });
    this.breaker.on('open', () => onState('open'));
    this.breaker.on('halfOpen', () => onState('half_open'));
    this.breaker.on('close', () => onState('closed'));
  }

  get state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  async call<T>(fn: () => Promise<T>): Promise<CallOutcome<T>> {
    let last = 'unknown error';
    for (let attempt = 0; attempt <= this.config.PAYMENT_RETRIES; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.config.PAYMENT_RETRY_BASE_MS * 2 ** (attempt - 1)));
      if (this.breaker.opened) return { ok: false, kind: 'unavailable', error: 'circuit breaker open' };
      try {
        const value = (await this.limit(() => this.breaker.fire(fn))) as T;
        return { ok: true, value };
      } catch (err) {
        const e = err as Error & { code?: string };
        if (e.code === 'EOPENBREAKER') return { ok: false, kind: 'unavailable', error: 'circuit breaker open' };
        if (err instanceof GatewayError && !err.transient) return { ok: false, kind: 'refused', error: err.message };
        last = e.message;
      }
    }
    return { ok: false, kind: 'unavailable', error: `retries exhausted: ${last}` };
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
