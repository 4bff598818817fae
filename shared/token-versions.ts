import type { Redis } from 'ioredis';
import type { Pool } from './db/pool';
import type { Principal } from './auth';

/**
 * Ends old tokens within seconds of a role change, a password change or a logout. Each account has a
 * token version (PostgreSQL `users.token_version`, mirrored in Redis); a token carries the version it
 * was issued under (`tv`, 0 when absent) and is refused once the account's version is higher. The
 * version is cached in this process for `cacheMs`, so the booking path pays a map lookup, not a round
 * trip; a revoked token works at most `cacheMs` longer on another process.
 */
export interface TokenVersions {
  /** Whether the token is still current. Rejects only when neither Redis nor PostgreSQL answers and nothing is cached. */
  isCurrent(principal: Principal): Promise<boolean>;
  /** Bumps the account's version (ending every token issued before) and returns the new one. */
  revoke(userId: string): Promise<number>;
  /** After the version changed elsewhere (e.g. SQL in a script): forget the cached and mirrored copies. */
  forget(userId: string): Promise<void>;
  /**
   * A token was just issued under `version` (read from PostgreSQL): mirror it in Redis unless a
   * mirror exists (a revocation meanwhile has written a newer one), so the account's first request costs a Redis read, not a PostgreSQL
   * query (a buyer who signs in just before an on-sale books without touching PostgreSQL).
   */
  remember(userId: string, version: number): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Most accounts cached per process before the cache starts over. */
const CACHE_MAX = 100_000;
/** The Redis mirror outlives a change made without Redis (it is rebuilt from PostgreSQL after this). */
const MIRROR_TTL_S = 3600;

/** The Redis key of an account's token version. */
export const tokenVersionKey = (prefix: string, userId: string) => `${prefix}user:${userId}:token-version`;

/**
 * @param deps.cacheMs how long a version is trusted in memory. @defaultValue 2000 (TOKEN_VERSION_CACHE_MS)
 * @example
 * const versions = tokenVersions({ pool, redis, prefix: config.REDIS_PREFIX, cacheMs: config.TOKEN_VERSION_CACHE_MS });
 * if (!(await versions.isCurrent(principal))) throw new AppError('unauthorized');
 */
export function tokenVersions(deps: { pool: Pool; redis: Redis; prefix: string; cacheMs: number }): TokenVersions {
  const cache = new Map<string, { version: number; at: number }>();

  const load = async (userId: string): Promise<number> => {
    // Subjects that are not account ids (tokens minted by `npm run token`) have no account: version 0.
    if (!UUID.test(userId)) return 0;
    const key = tokenVersionKey(deps.prefix, userId);
    const mirrored = await deps.redis.get(key).catch(() => undefined);
    if (mirrored !== undefined && mirrored !== null) return Number(mirrored);
    const { rows } = await deps.pool.query<{ token_version: number }>({
      name: 'get-token-version',
      text: 'SELECT token_version FROM users WHERE id = $1',
      values: [userId],
    });
    const version = rows[0]?.token_version ?? 0;
    if (mirrored === null) await deps.redis.set(key, String(version), 'EX', MIRROR_TTL_S, 'NX').catch(() => undefined);
    return version;
  };

  const current = async (userId: string): Promise<number> => {
    const now = Date.now();
    const hit = cache.get(userId);
    if (hit && now - hit.at < deps.cacheMs) return hit.version;
    try {
      const version = await load(userId);
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(userId, { version, at: now });
      return version;
    } catch (err) {
      if (hit) return hit.version; // both stores down: the last known version beats refusing everyone
      throw err;
    }
  };

  return {
    async isCurrent(principal) {
      return (principal.token_version ?? 0) >= (await current(principal.user_id));
    },
    async revoke(userId) {
      const { rows } = await deps.pool.query<{ token_version: number }>({
        name: 'bump-token-version',
        text: 'UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = $1 RETURNING token_version',
        values: [userId],
      });
      const version = rows[0]?.token_version ?? 0;
      cache.set(userId, { version, at: Date.now() });
      await deps.redis
        .set(tokenVersionKey(deps.prefix, userId), String(version), 'EX', MIRROR_TTL_S)
        .catch(() => undefined);
      return version;
    },
    async remember(userId, version) {
      if (!UUID.test(userId)) return;
      await deps.redis
        .set(tokenVersionKey(deps.prefix, userId), String(version), 'EX', MIRROR_TTL_S, 'NX')
        .catch(() => undefined);
    },
    async forget(userId) {
      cache.delete(userId);
      await deps.redis.del(tokenVersionKey(deps.prefix, userId)).catch(() => undefined);
    },
  };
}
