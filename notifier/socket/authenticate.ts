import jwt from 'jsonwebtoken';
import { bearer, verifyToken } from '../../shared/auth';
import type { NotifierContext, NotifierSocket } from '../context';

type Next = (err?: Error) => void;

function refuse(code: 'unauthorized' | 'too_many_sockets'): Error {
  return Object.assign(new Error(code), { data: { code } });
}

/**
 * Handshake middleware: a valid bearer token (`auth: { token }` or an Authorization header), and at
 * most NOTIFIER_MAX_SOCKETS_PER_USER sockets per account on this instance. Returns the middleware and
 * the release to call when a socket disconnects.
 */
export function authenticate(ctx: NotifierContext): { middleware: (socket: NotifierSocket, next: Next) => void; release: (socket: NotifierSocket) => void } {
  const socketsOf = new Map<string, number>();
  const middleware = (socket: NotifierSocket, next: Next) => {
    const token = (socket.handshake.auth as { token?: string } | undefined)?.token ?? bearer(socket.handshake.headers.authorization);
    const principal = verifyToken(ctx.config.JWT_SECRET, token);
    if (!principal || !token) return next(refuse('unauthorized'));
    const open = socketsOf.get(principal.user_id) ?? 0;
    if (open >= ctx.settings.NOTIFIER_MAX_SOCKETS_PER_USER) return next(refuse('too_many_sockets'));
    socketsOf.set(principal.user_id, open + 1);
    // verifyToken checked the signature and expiry; only the expiry time is needed from here on.
    const exp = (jwt.decode(token, { json: true }) as { exp?: number } | null)?.exp;
    socket.data.user_id = principal.user_id;
    socket.data.role = principal.role;
    socket.data.token_expires_at = typeof exp === 'number' ? exp * 1000 : Infinity;
    next();
  };
  const release = (socket: NotifierSocket) => {
    const userId = socket.data.user_id;
    const open = (socketsOf.get(userId) ?? 1) - 1;
    if (open > 0) socketsOf.set(userId, open);
    else socketsOf.delete(userId);
  };
  return { middleware, release };
}

/** A socket may start new watches only while its token is valid. */
export function tokenValid(socket: NotifierSocket, now = Date.now()): boolean {
  return now < socket.data.token_expires_at;
}
