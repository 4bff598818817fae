import jwt from 'jsonwebtoken';
import { bearer, verifyToken, type Principal } from '../../shared/auth';
import type { NotifierContext, NotifierSocket } from '../context';
import { endRevoked, principalOf, sweptRecently, type SocketPrincipal } from './revocation';

type Next = (err?: Error) => void;

function refuse(code: 'unauthorized' | 'too_many_sockets' | 'dependency_unavailable', message: string = code): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * Handshake middleware: a valid bearer token (`auth: { token }` or an Authorization header) that was
 * not revoked (token versions, when the context has them), and at most NOTIFIER_MAX_SOCKETS_PER_USER
 * sockets per account on this instance. Returns the middleware and the release to call when a socket
 * disconnects.
 */
export function authenticate(ctx: NotifierContext): {
  middleware: (socket: NotifierSocket, next: Next) => void;
  release: (socket: NotifierSocket) => void;
} {
  const socketsOf = new Map<string, number>();
  const admit = (socket: NotifierSocket, token: string, principal: Principal, next: Next) => {
    const open = socketsOf.get(principal.user_id) ?? 0;
    if (open >= ctx.settings.NOTIFIER_MAX_SOCKETS_PER_USER) {
      next(refuse('too_many_sockets'));
      return;
    }
    socketsOf.set(principal.user_id, open + 1);
    // verifyToken checked the signature and expiry; only the expiry time is needed from here on.
    const exp = (jwt.decode(token, { json: true }) as { exp?: number } | null)?.exp;
    socket.data.user_id = principal.user_id;
    socket.data.role = principal.role;
    socket.data.token_expires_at = typeof exp === 'number' ? exp * 1000 : Infinity;
    const { token_version }: SocketPrincipal = principal;
    if (token_version) socket.data.token_version = token_version;
    next();
  };
  const middleware = (socket: NotifierSocket, next: Next) => {
    const token =
      (socket.handshake.auth as { token?: string } | undefined)?.token ??
      bearer(socket.handshake.headers.authorization);
    const principal = verifyToken(ctx.config.JWT_SECRET, token);
    if (!principal || !token) {
      next(refuse('unauthorized'));
      return;
    }
    if (!ctx.tokens) {
      admit(socket, token, principal, next);
      return;
    }
    ctx.tokens.isCurrent(principal).then(
      (current) => {
        if (current) admit(socket, token, principal, next);
        else next(refuse('unauthorized', 'token revoked; sign in again'));
      },
      () => {
        next(refuse('dependency_unavailable', 'cannot check the token now; retry'));
      },
    );
  };
  const release = (socket: NotifierSocket) => {
    const userId = socket.data.user_id;
    const open = (socketsOf.get(userId) ?? 1) - 1;
    if (open > 0) socketsOf.set(userId, open);
    else socketsOf.delete(userId);
  };
  return { middleware, release };
}

/** A socket may start new watches only while its token is valid (not expired). */
export function tokenValid(socket: NotifierSocket, now = Date.now()): boolean {
  return now < socket.data.token_expires_at;
}

/**
 * Whether a socket may start a new watch: its token has not expired and was not revoked. A revoked
 * token's socket is also disconnected at once (after `session.revoked`). When the token versions
 * cannot be read at all, the socket goes on (the sweep catches up once they can).
 *
 * @returns null when it may, else the reason to answer the watch with
 */
export async function mayWatch(ctx: NotifierContext, socket: NotifierSocket): Promise<string | null> {
  if (!tokenValid(socket)) return 'token expired; reconnect with a fresh token';
  if (!ctx.tokens) return null;
  // The revocation sweep read this account's version a moment ago: no lookup per watch.
  if (sweptRecently(socket, ctx.config.TOKEN_VERSION_CACHE_MS)) return null;
  const current = await ctx.tokens.isCurrent(principalOf(socket)).catch(() => true);
  if (current) return null;
  // After the watch's answer has gone out (the caller replies synchronously with what this returns).
  setImmediate(() => endRevoked(socket, ctx.logger));
  return 'token revoked; sign in again';
}
