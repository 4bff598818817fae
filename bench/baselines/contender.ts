import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { BenchRequest, ScenarioSpec } from '../scenarios';

export type BaselineName = 'conditional_update' | 'select_for_update' | 'skip_locked' | 'redis_setnx';
export const BASELINE_NAMES: readonly BaselineName[] = [
  'conditional_update',
  'select_for_update',
  'skip_locked',
  'redis_setnx',
];

/**
 * One lock-based design, deciding one request per call the way a typical web app does: a request
 * handler with a connection from a shared pool, its own transaction, and retries with a small backoff
 * when it loses a race. It writes its own tables (bench_*), filled with the same inventory.
 */
export interface Baseline {
  name: BaselineName;
  decide(ctx: BaselineContext, req: BenchRequest, bookingId: string): Promise<'held' | 'rejected'>;
}

export interface BaselineContext {
  pool: pg.Pool;
  redis: Redis;
  spec: ScenarioSpec;
  redisPrefix: string;
  /** retries: attempts lost to a race; gave_up: requests answered "try again later" after MAX_ATTEMPTS (counted as rejected). */
  stats: { retries: number; gave_up: number };
}

/** Attempts per request before a contended request gives up (a real app would answer "try again"). */
export const MAX_ATTEMPTS = 8;

export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Small randomised backoff, growing with the attempt (0–2 ms, 0–4 ms, …). */
export const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 2 * (attempt + 1)));

/** Best-available candidates by rank (in the section asked for, if any). */
export function candidates(c: pg.Pool | pg.PoolClient, req: BenchRequest, lockClause = '') {
  return c.query<{ id: string }>(
    `SELECT id FROM bench_seats WHERE status = 'available' AND ($1::text IS NULL OR section = $1) ORDER BY rank LIMIT $2 ${lockClause}`,
    [req.section ?? null, req.quantity],
  );
}

export async function insertBooking(
  c: pg.PoolClient,
  id: string,
  req: BenchRequest,
  seatIds: string[] | null,
): Promise<void> {
  await c.query('INSERT INTO bench_bookings (id, user_id, quantity, seat_ids) VALUES ($1, $2, $3, $4)', [
    id,
    req.user,
    req.quantity,
    seatIds,
  ]);
}

class Rollback extends Error {}
/** Thrown inside a transaction to roll it back when a race was lost. */
export const rollback = () => new Rollback();
export const isRollback = (err: unknown) => err instanceof Rollback;
