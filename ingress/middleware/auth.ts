import type { NextFunction, Request, Response } from 'express';
import { bearer, verifyToken, type Principal, type Role } from '../../shared/auth';
import { AppError } from '../../shared/errors';
import type { TokenVersions } from '../../shared/token-versions';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId: string;
  }
}

/** Where createApp puts the token versions, so every router's `requireAuth` sees them. */
export const TOKEN_VERSIONS = 'tokenVersions';

/**
 * Requires a valid bearer token; the user id comes from the token only, never from the body. A token
 * issued before the account's last role change, password change or logout is refused (401), at most
 * TOKEN_VERSION_CACHE_MS after the change.
 */
export function requireAuth(secret: string, ...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const principal = verifyToken(secret, bearer(req.headers.authorization));
    if (!principal) {
      next(new AppError('unauthorized'));
      return;
    }
    if (roles.length && !roles.includes(principal.role)) {
      next(new AppError('forbidden', `requires role ${roles.join(' or ')}`));
      return;
    }
    req.principal = principal;
    const versions = req.app.locals[TOKEN_VERSIONS] as TokenVersions | undefined;
    if (!versions) {
      next();
      return;
    }
    versions.isCurrent(principal).then(
      (current) =>
        next(
          current
            ? undefined
            : new AppError('unauthorized', 'This token was revoked (logout, password or role change); sign in again.'),
        ),
      () => next(new AppError('dependency_unavailable', 'Cannot check the token now; retry.', undefined, 2)),
    );
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new AppError('unauthorized');
  return req.principal;
}
