import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger';
import type { Pool } from './pool';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Applies the numbered, append-only SQL migrations in `shared/db/migrations/`, each in its own
 * transaction, recorded in the `pgmigrations` ledger. node-pg-migrate takes an advisory lock first, so
 * two processes starting at once never migrate concurrently.
 */
export async function migrate(databaseUrl: string, logger?: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    log: (msg: string) => logger?.debug(msg),
  });
  const names = applied.map((m) => m.name);
  if (names.length) logger?.info('migrations applied', { migrations: names });
  return names;
}

/** The migration files in `shared/db/migrations/` (names as the ledger records them), in order. */
export function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -'.sql'.length))
    .sort();
}

/** Migrations this code needs that the database has not applied yet (all of them when it never was migrated). */
export async function pendingMigrations(pool: Pool): Promise<string[]> {
  let applied: Set<string>;
  try {
    const { rows } = await pool.query<{ name: string }>({
      name: 'applied-migrations',
      text: 'SELECT name FROM pgmigrations',
    });
    applied = new Set(rows.map((r) => r.name));
  } catch (err) {
    if ((err as { code?: string }).code === '42P01')
      applied = new Set(); // no ledger: never migrated
    else throw err;
  }
  return migrationNames().filter((n) => !applied.has(n));
}

/** Thrown by {@link assertMigrated}: the database is behind this code. */
export class NotMigratedError extends Error {
  override name = 'NotMigratedError';
  constructor(readonly pending: string[]) {
    super(`database not migrated: run \`npm run migrate\` (pending: ${pending.join(', ')})`);
  }
}

/**
 * Resolves when the database has every migration this code needs; otherwise rejects with a
 * {@link NotMigratedError} whose message tells the operator to run `npm run migrate`. Every role's
 * readiness uses it (see `migrationCheck` in `shared/http/health.ts`).
 */
export async function assertMigrated(pool: Pool): Promise<void> {
  const pending = await pendingMigrations(pool);
  if (pending.length) throw new NotMigratedError(pending);
}
