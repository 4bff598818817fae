import type { NextFunction, Request, Response } from 'express';
import { bearer, verifyToken, type Principal, type Role } from '../../shared/auth';
import { AppError } from '../../shared/errors';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId: string;
  }
}

/** Requires a valid bearer token; the user id comes from the token only, never from the body. */
export function requireAuth(secret: string, ...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const principal = verifyToken(secret, bearer(req.headers.authorization));
    if (!principal) return next(new AppError('unauthorized'));
    if (roles.length && !roles.includes(principal.role)) return next(new AppError('forbidden', `requires role ${roles.join(' or ')}`));
    req.principal = principal;
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new AppError('unauthorized');
  return req.principal;
}
