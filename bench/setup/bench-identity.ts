import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../shared/config';

/**
 * Names of everything one benchmark run creates: a database, an AMQP prefix and a Redis prefix, all
 * with the same random id, so the run is isolated from other installs on the same services (other
 * engineers run test suites concurrently) and can always be removed by name.
 */
export interface BenchIdentity {
  id: string;
  adminUrl: string;
  dbName: string;
  /** What the roles (worker, ingress, notifier) are configured with. */
  config: Config;
}

export function benchIdentity(partitions: number): BenchIdentity {
  const id = randomBytes(3).toString('hex');
  const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `onsale_bench_${id}`;
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    AMQP_PREFIX: `bench_${id}.`,
    REDIS_PREFIX: `bench_${id}:`,
    PARTITIONS: String(partitions),
    JWT_SECRET: `bench-secret-${randomBytes(12).toString('hex')}`,
    // The roles run with NODE_ENV=production, where they refuse the development defaults of every secret.
    PAYMENT_WEBHOOK_SECRET: `bench-webhook-${randomBytes(12).toString('hex')}`,
    TICKET_SIGNING_SEED: randomBytes(32).toString('hex'),
    // In production /metrics needs this token (without it the worker's histograms read as 404 pages).
    METRICS_TOKEN: `bench-metrics-${randomBytes(12).toString('hex')}`,
    LOG_LEVEL: 'warn',
  });
  return { id, adminUrl, dbName, config };
}

/** Queues the bench (or a role) creates outside the pipeline topology. */
export function extraQueues(b: BenchIdentity): string[] {
  return [`${b.config.AMQP_PREFIX}ceiling`];
}
