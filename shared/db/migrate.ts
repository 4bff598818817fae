import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger';

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
