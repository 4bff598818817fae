import type { Redis } from 'ioredis';
import type { Role } from '../../shared/auth';
import type { Logger } from '../../shared/logger';
import type { NotifierServer, NotifierSocket } from '../context';

/** Who a socket is, as its token said when it connected. */
export interface SocketPrincipal {
  user_id: string;
  role: Role;
  /** The account's token version the token was issued under (claim `tv`; absent: 0). */
  token_version?: number;
}

/**
 * Where the notifier learns whether a token was revoked (logout, password or role change): the same
 * token versions ingress checks (`shared/token-versions.ts`), cached per process, with their Redis
 * mirror for the sweep's bulk reads.
 */
export interface TokenVersionSource {
  /** Whether the token is still current; rejects only when nothing can answer. */
  isCurrent(principal: SocketPrincipal): Promise<boolean>;
  /** The Redis key mirroring an account's current version. */
  key(userId: string): string;
}

/** Reads per MGET in a sweep. */
const CHUNK = 500;

/** When a sweep last found each socket's token current (ms since the epoch, when its version was read). */
const sweptCurrent = new WeakMap<NotifierSocket, number>();

/**
 * Whether a sweep found the socket's token current less than `withinMs` ago: a new watch then needs no
 * lookup of its own (the same staleness a cached version allows, TOKEN_VERSION_CACHE_MS).
 */
export function sweptRecently(socket: NotifierSocket, withinMs: number, now = Date.now()): boolean {
  const at = sweptCurrent.get(socket);
  return at !== undefined && now - at < withinMs;
}

/**
 * Disconnects this instance's sockets whose token was revoked, every `intervalMs`: one MGET per
 * {@link CHUNK} accounts with open sockets (the versions' Redis mirror), and the per-process lookup
 * only for an account whose mirror is missing. A sweep never overlaps the previous one; Redis not
 * answering skips the sweep (new watches are still checked one by one).
 */
export function startRevocationSweep(
  io: NotifierServer,
  redis: Redis,
  source: TokenVersionSource,
  intervalMs: number,
  logger: Logger,
): { stop(): void } {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const byUser = new Map<string, NotifierSocket[]>();
      for (const socket of io.sockets.sockets.values()) {
        const list = byUser.get(socket.data.user_id);
        if (list) list.push(socket);
        else byUser.set(socket.data.user_id, [socket]);
      }
      const users = [...byUser.keys()];
      for (let i = 0; i < users.length; i += CHUNK) {
        const chunk = users.slice(i, i + CHUNK);
        const versions = await redis.mget(...chunk.map((u) => source.key(u)));
        const readAt = Date.now();
        for (let j = 0; j < chunk.length; j++) {
          const sockets = byUser.get(chunk[j]!)!;
          const mirrored = versions[j];
          for (const socket of sockets) {
            const current =
              mirrored !== null && mirrored !== undefined
                ? (socket.data.token_version ?? 0) >= Number(mirrored)
                : await source.isCurrent(principalOf(socket)).catch(() => true);
            if (!current) endRevoked(socket, logger);
            else if (mirrored !== null && mirrored !== undefined) sweptCurrent.set(socket, readAt);
          }
        }
      }
    } catch (err) {
      logger.warn('revocation sweep skipped', { err: (err as Error).message });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export function principalOf(socket: NotifierSocket): SocketPrincipal {
  const { user_id, role, token_version } = socket.data;
  return { user_id, role, ...(token_version ? { token_version } : {}) };
}

/** Tells the client why, then closes the socket (it must sign in again; reconnecting with the same token is refused). */
export function endRevoked(socket: NotifierSocket, logger: Logger): void {
  if (socket.disconnected) return;
  socket.emit('session.revoked', {
    code: 'token_revoked',
    message: 'this token was revoked (logout, password or role change); sign in again',
  });
  logger.info('socket of a revoked token disconnected', { user_id: socket.data.user_id, socket_id: socket.id });
  socket.disconnect(true);
}
