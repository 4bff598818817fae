import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { migrate } from '../shared/db/migrate';
import { connectAmqp } from '../shared/amqp/connect';
import { connectRedis } from '../shared/redis/connect';
import { ensureDatabase } from './ensure-database';
import { seedDemo } from './seed-demo';

/**
 * `npm start`: checks RabbitMQ, PostgreSQL and Redis (naming any that is down and how to start it),
 * migrates, creates the demo data on first run, then runs every role as its own process and restarts
 * one that dies. Ctrl-C stops them all gracefully.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = loadConfigOrExit();
const logger = createLogger('start', config.LOG_LEVEL);
const WORKERS = Number(process.env.WORKERS ?? 1);

async function checkServices(): Promise<void> {
  const problems: string[] = [];
  const report = (err: unknown) => problems.push((err as Error).message);
  await ensureDatabase(config.DATABASE_URL).catch(report);
  await connectRedis(config.REDIS_URL, 'start-check').then((r) => r.disconnect(), report);
  await connectAmqp(config.AMQP_URL, 'start-check').then((c) => c.close(), report);
  if (problems.length) {
    for (const p of problems) logger.error(p);
    process.exit(1);
  }
}

const roles: Array<{ name: string; script: string; env?: Record<string, string> }> = [
  { name: 'ingress', script: 'ingress/main.ts' },
  { name: 'notifier', script: 'notifier/main.ts' },
  ...Array.from({ length: WORKERS }, (_, i) => ({
    name: `worker-${i}`,
    script: 'booking-workers/main.ts',
    env: { WORKER_PORT: String(config.WORKER_PORT + i) },
  })),
  // The payment provider simulator is a development tool: it runs only when asked for (PAYMENT_SIM=on).
  ...(process.env.PAYMENT_SIM === 'on' ? [{ name: 'payment-sim', script: 'payment-sim/main.ts' }] : []),
];
const children = new Map<string, ChildProcess>();
let stopping = false;

function run(role: (typeof roles)[number], attempt = 0): void {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, role.script)], {
    cwd: root,
    env: { ...process.env, ...role.env },
    stdio: 'inherit',
  });
  children.set(role.name, child);
  const started = Date.now();
  child.on('exit', (code, signal) => {
    children.delete(role.name);
    if (stopping) return;
    const next = Date.now() - started > 30_000 ? 0 : attempt + 1;
    const delay = Math.min(10_000, 500 * 2 ** next);
    logger.warn('role exited; restarting', { role: role.name, code, signal, delay_ms: delay });
    setTimeout(() => run(role, next), delay);
  });
}

await checkServices();
await migrate(config.DATABASE_URL, logger);
await seedDemo(config, logger);
for (const role of roles) run(role);
logger.info('Onsale is starting', {
  api: `http://localhost:${config.PORT}/v1`,
  notifier: `ws://localhost:${config.NOTIFIER_PORT}`,
  workers: WORKERS,
});

const stop = (signal: NodeJS.Signals) => {
  if (stopping) {
    for (const c of children.values()) c.kill('SIGKILL');
    process.exit(1);
  }
  stopping = true;
  logger.info('stopping all roles', { signal });
  for (const c of children.values()) c.kill('SIGTERM');
  const wait = setInterval(() => {
    if (children.size === 0) {
      clearInterval(wait);
      process.exit(0);
    }
  }, 100);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
