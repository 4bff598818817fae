import type { NextFunction, Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../../shared/errors';

/**
 * A limit of `limit` requests per `windowS` seconds per `key` (express-rate-limit, counters in this
 * process's memory: with several ingress instances each counts its own). Over the limit: `429
 * rate_limited` with `Retry-After`. `count` picks which answers count: only failures (login
 * attempts), only successes (accepted booking requests) or all (registrations).
 */
export function limitPer(opts: {
  windowS: number;
  limit: number;
  key: (req: Request) => string;
  count: 'failures' | 'successes' | 'all';
  message: string;
}) {
  return rateLimit({
    windowMs: opts.windowS * 1000,
    limit: opts.limit,
    ...(opts.count === 'failures'
      ? { skipSuccessfulRequests: true }
      : opts.count === 'successes'
        ? { skipFailedRequests: true }
        : {}),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: opts.key,
    handler: (req: Request, _res: Response, next: NextFunction) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = Math.max(
        1,
        Math.ceil(((reset?.getTime() ?? Date.now() + opts.windowS * 1000) - Date.now()) / 1000),
      );
      next(new AppError('rate_limited', opts.message, undefined, retryAfter));
    },
  });
}
