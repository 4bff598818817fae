import pg from 'pg';
import type { Config } from '../../shared/config';
import type { Pool } from '../../shared/db/pool';

/**
 * Lowest trigram similarity at which a lexicon word is a spelling candidate of a query word (pg_trgm
 * `%`). Low on purpose: it only narrows the candidates, levenshtein then picks the closest
 * ("swfit" → "swift" has similarity 0.2 but edit distance 2).
 */
export const SPELLING_SIMILARITY = 0.2;

/**
 * The read side's PostgreSQL pool (search, event pages, catalog reads), apart from the booking path's:
 * every statement is cut off after SEARCH_TIMEOUT_MS, and the trigram threshold the spelling
 * correction relies on is set per connection.
 */
export function createReadPool(config: Config): Pool {
  const pool = new pg.Pool({
    connectionString: config.READ_DATABASE_URL ?? config.DATABASE_URL,
    max: config.READ_POOL_SIZE,
    application_name: 'ingress-read',
    connectionTimeoutMillis: 5000,
    statement_timeout: config.SEARCH_TIMEOUT_MS,
    // JIT compiles plans whose cost estimate is high (a broad search) in tens of milliseconds: more
    // than such a query then runs. Reads here are short; it never pays off.
    options: `-c pg_trgm.similarity_threshold=${SPELLING_SIMILARITY} -c jit=off`,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the next checkout reconnects.
  });
  return pool;
}
