import type { Request, RequestHandler, Response, Router } from 'express';
import express from 'express';
import type { Registry } from 'prom-client';
import { assertMigrated } from '../db/migrate';
import type { Pool } from '../db/pool';

/** A named check of a backing service; resolves when healthy, rejects (or times out) otherwise. */
export type HealthCheck = () => Promise<unknown>;

/**
 * The readiness check every role puts beside its `postgres` check: not ready while the database lacks
 * a migration this code needs, with `run \`npm run migrate\`` in the reason `/readyz` shows.
 *
 * @example
 * healthRouter({ postgres: () => pool.query('SELECT 1'), migrations: migrationCheck(pool) }, registry, isShuttingDown)
 */
export function migrationCheck(pool: Pool): HealthCheck {
  return () => assertMigrated(pool);
}

/**
 * `/healthz` (the process is alive), `/readyz` (every backing service answers; 503 otherwise, or while
 * shutting down) and `/metrics` (Prometheus), the same on every role. `guardMetrics` (see
 * metrics-guard.ts) keeps `/metrics` from the public in production.
 */
export function healthRouter(
  checks: Record<string, HealthCheck>,
  registry: Registry,
  isShuttingDown: () => boolean,
  guardMetrics: RequestHandler = (_req, _res, next) => next(),
): Router {
  const router = express.Router();
  router.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req: Request, res: Response) => {
    const results: Record<string, string> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          results[name] = 'ok';
        } catch (err) {
          results[name] = `down: ${(err as Error).message}`;
        }
      }),
    );
    const ready = !isShuttingDown() && Object.values(results).every((r) => r === 'ok');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : isShuttingDown() ? 'shutting_down' : 'not_ready', checks: results });
  });
  router.get('/metrics', guardMetrics, async (_req: Request, res: Response) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
