import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { AppError, ERRORS, isRetryable } from '../../shared/errors';
import type { Logger } from '../../shared/logger';

/** Turns every error into `{ error: { code, message, details?, request_id } }` with the registry's status. */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appErr = toAppError(err);
    // An unexpected error is logged with its stack; a deliberate 503 (an outage the client is told to retry) is a warning.
    if (appErr.status >= 500 && !(err instanceof AppError && appErr.status === 503)) {
      logger.error('request failed', {
        request_id: req.requestId,
        path: req.path,
        err: (err as Error | null | undefined)?.stack ?? String(err),
      });
    } else if (appErr.status === 503)
      logger.warn('request refused: dependency unavailable', {
        request_id: req.requestId,
        path: req.path,
        code: appErr.code,
        message: appErr.message,
      });
    if (appErr.retryAfterSeconds !== undefined) res.set('Retry-After', String(appErr.retryAfterSeconds));
    res.status(appErr.status).json({
      error: {
        code: appErr.code,
        message: appErr.message,
        ...(appErr.details !== undefined ? { details: appErr.details } : {}),
        request_id: req.requestId,
      },
    });
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return validationError(err);
  const e = err as { type?: string; status?: number } | null | undefined;
  if (e?.type === 'entity.parse.failed') return new AppError('invalid_json');
  if (e?.type === 'entity.too.large') return new AppError('payload_too_large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError('unsupported_media_type');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return new AppError('validation_failed', (err as Error).message);
  // A backing service that went away (PostgreSQL restarting, Redis or the broker unreachable) is an
  // outage the client may retry, not a bug: 503 with Retry-After, never a 500 without reason.
  if (isOutage(err))
    return new AppError(
      'dependency_unavailable',
      'A backing service is unreachable; retry after Retry-After seconds.',
      undefined,
      2,
    );
  return new AppError('internal_error');
}

const OUTAGE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection is closed|Stream isn't writeable|Connection is closed|Channel closed|ECONNREFUSED|ECONNRESET/i;

/** Whether an unexpected error means a backing service is unreachable (retryable), per the registry's driver codes. */
function isOutage(err: unknown): boolean {
  return isRetryable(err) || (err instanceof Error && OUTAGE_MESSAGES.test(err.message));
}

export function validationError(err: z.ZodError): AppError {
  return new AppError(
    'validation_failed',
    ERRORS.validation_failed.description,
    err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** Parses with a zod schema, throwing a 400 `validation_failed` that lists each problem. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

/** POST/PUT/PATCH bodies must be JSON. */
export function requireJson(req: Request, _res: Response, next: NextFunction) {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json')) {
    next(new AppError('unsupported_media_type'));
    return;
  }
  next();
}
