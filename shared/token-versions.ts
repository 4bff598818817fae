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
interface Waiter {
  resolve: (version: number) => void;
  reject: (err: unknown) => void;
}

/** Keys per MGET when versions are loaded in a batch. */
const MGET_CHUNK = 500;

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

  /**
   * Versions not cached are loaded in batches: every account asked for in one turn of the event loop
   * (a burst of socket handshakes, a crowd of bookings) costs one Redis MGET, and the accounts whose
   * mirror is missing one PostgreSQL query and one pipelined write of their mirrors, instead of two or
   * three round trips each. An account already being loaded shares that load.
   */
  const inFlight = new Map<string, Promise<number>>();
  let batch: Map<string, Waiter> | null = null;

  const loadBatch = async (waiting: Map<string, Waiter>): Promise<void> => {
    const ids = [...waiting.keys()];
    const versions = new Map<string, number>();
    // undefined: Redis did not answer (then no mirror is written either).
    let mirrored: Array<string | null> | undefined = [];
    for (let i = 0; i < ids.length && mirrored; i += MGET_CHUNK) {
      const chunk = ids.slice(i, i + MGET_CHUNK);
      const got: Array<string | null> | undefined = await deps.redis
        .mget(...chunk.map((u) => tokenVersionKey(deps.prefix, u)))
        .catch(() => undefined);
      mirrored = got ? mirrored.concat(got) : undefined;
    }
    const missing: string[] = [];
    ids.forEach((u, i) => {
      const m = mirrored?.[i];
      if (m !== undefined && m !== null) versions.set(u, Number(m));
      else missing.push(u);
    });
    if (missing.length) {
      try {
        const { rows } = await deps.pool.query<{ id: string; token_version: number }>({
          name: 'get-token-versions',
          text: 'SELECT id, token_version FROM users WHERE id = ANY($1::uuid[])',
          values: [missing],
        });
        const found = new Map(rows.map((r) => [r.id, r.token_version]));
        for (const u of missing) versions.set(u, found.get(u) ?? 0);
        if (mirrored) {
          const write = deps.redis.pipeline();
          for (const u of missing)
            write.set(tokenVersionKey(deps.prefix, u), String(versions.get(u)), 'EX', MIRROR_TTL_S, 'NX');
          await write.exec().catch(() => undefined);
        }
      } catch (err) {
        for (const u of missing) waiting.get(u)!.reject(err);
      }
    }
    for (const [u, v] of versions) waiting.get(u)!.resolve(v);
  };

  const load = (userId: string): Promise<number> => {
    // Subjects that are not account ids (tokens minted by `npm run token`) have no account: version 0.
    if (!UUID.test(userId)) return Promise.resolve(0);
    let loading = inFlight.get(userId);
    if (loading) return loading;
    loading = new Promise<number>((resolve, reject) => {
      if (!batch) {
        const waiting = new Map<string, Waiter>();
        batch = waiting;
        setImmediate(() => {
          batch = null;
          void loadBatch(waiting).catch((err: unknown) => {
            for (const w of waiting.values()) w.reject(err);
          });
        });
      }
      batch.set(userId, { resolve, reject });
    }).finally(() => inFlight.delete(userId));
    inFlight.set(userId, loading);
    return loading;
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
