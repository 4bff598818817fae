import { afterAll, beforeAll, expect } from 'vitest';
import pg from 'pg';
import { Crowd } from './crowd';
import { LOAD, type FaultReport } from './fault-run';
import { FaultStack } from './roles';

export interface SuiteContext {
  stack: FaultStack;
  crowd: Crowd;
  pool: pg.Pool;
}

/** The context while set-up may have failed half-way: what `afterAll` must tear down. */
type PartialSuite = Partial<SuiteContext>;

/**
 * Private services, every role, a crowd of connected buyers and a PostgreSQL pool for the checks,
 * for one test file; everything torn down afterwards, also when a test or the set-up fails.
 */
export function faultSuite(opts: Parameters<typeof FaultStack.create>[0] = {}): SuiteContext {
  const ctx = {} as SuiteContext;
  beforeAll(async () => {
    ctx.stack = await FaultStack.create(opts);
    ctx.pool = new pg.Pool({ connectionString: ctx.stack.databaseUrl, max: 4 });
    ctx.pool.on('error', () => undefined); // the database is one of the things these tests restart
    ctx.crowd = new Crowd(
      () => ctx.stack.baseUrl,
      () => ctx.stack.notifierUrl,
      ctx.stack.env.JWT_SECRET!,
      LOAD.sockets,
    );
    await ctx.crowd.connect();
  }, 600_000);
  afterAll(async () => {
    const partial: PartialSuite = ctx;
    await partial.crowd?.close();
    await partial.pool?.end().catch(() => undefined);
    await partial.stack?.destroy();
  }, 300_000);
  return ctx;
}

/**
 * Invariants 1–3 and the edges: nothing lost, nothing doubled, every 202 decided once, readable over
 * HTTP and pushed, nothing announced that PostgreSQL does not hold; 503s carry Retry-After; no hang,
 * no unexplained 5xx, no request the client had to give up on, no ingress crash (unless it is the
 * fault); and the service came back.
 */
export function expectInvariants(r: FaultReport, opts: { ingressKilled?: boolean } = {}): void {
  expect(r.accepted, 'requests accepted').toBeGreaterThan(LOAD.rate); // the load really ran
  expect({
    lost: r.lost,
    unpushed: r.unpushed,
    doubled: r.doubled,
    ghosts: r.ghosts,
    regressions: r.regressions,
    mismatched: r.mismatched,
    outcomes: r.outcomes,
    hangs: r.http.hangs,
    unexplained5xx: r.http.unexplained5xx,
    unavailableWithoutRetryAfter: r.http.unavailableWithoutRetryAfter,
    unresolved: r.http.unresolved,
    // A reset connection is retried with its Idempotency-Key (a starved client also races the server's
    // keep-alive timeout); what matters is that nothing was left unresolved and no ingress died.
    ingressRestarts: opts.ingressKilled ? 0 : r.restarts.ingress,
  }).toEqual({
    lost: 0,
    unpushed: 0,
    doubled: 0,
    ghosts: 0,
    regressions: 0,
    mismatched: 0,
    outcomes: r.accepted,
    hangs: 0,
    unexplained5xx: 0,
    unavailableWithoutRetryAfter: 0,
    unresolved: 0,
    ingressRestarts: 0,
  });
  expect(r.recovery_ms, 'a request sent after the fault got its outcome').not.toBeNull();
}
