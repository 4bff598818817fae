import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';

/**
 * Guards operational endpoints (`/metrics`, the worker's `/status`): with METRICS_TOKEN set they need
 * `Authorization: Bearer <METRICS_TOKEN>` (else 401); without it they are open in development and
 * tests, and answer 404 in production (serve them on an internal port or set the token). One guard for
 * every role, so ingress, worker and notifier behave alike.
 * @example app.use('/status', metricsGuard(config)); healthRouter(checks, registry, isShuttingDown, metricsGuard(config));
 */
export function metricsGuard(config: Pick<Config, 'NODE_ENV' | 'METRICS_TOKEN'>): RequestHandler {
  const expected = config.METRICS_TOKEN === undefined ? null : Buffer.from(config.METRICS_TOKEN);
  return (req: Request, res: Response, next: NextFunction) => {
    if (expected === null) {
      if (config.NODE_ENV !== 'production') {
        next();
        return;
      }
      res.status(404).json({ error: { code: 'not_found', message: 'No such route.' } });
      return;
    }
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      next();
      return;
    }
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer')
      .json({ error: { code: 'unauthorized', message: 'Needs Authorization: Bearer <METRICS_TOKEN>.' } });
  };
}
