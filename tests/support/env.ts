import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadConfig, type Config } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { migrate } from '../../shared/db/migrate';
import { buildTopology, deleteTopology } from '../../shared/amqp/topology';
import { signToken, type Role } from '../../shared/auth';
import { startIngress, type RunningIngress } from '../../ingress/server';
import { startWorker, type RunningWorker, type WorkerOptions } from '../../booking-workers/worker';
import { startNotifier, type RunningNotifier } from '../../notifier/server';
import { startPaymentSim, type RunningPaymentSim, type SimConfig } from '../../payment-sim/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/contracts/socket';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_URL = process.env.ONSALE_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * An isolated Onsale installation for one test file: its own database (migrated), queue-name prefix
 * and Redis key prefix, all removed by `cleanup()`, which also closes every role and socket started
 * through it.
 */
export class TestEnv {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly redis: Redis;
  ingress?: RunningIngress;
  notifier?: RunningNotifier;
  workers: RunningWorker[] = [];
  private readonly closers: Array<() => Promise<unknown>> = [];
  private readonly children = new Set<ChildProcess>();

  private constructor(
    config: Config,
    readonly dbName: string,
  ) {
    this.config = config;
    this.pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 5 });
    // An idle client loses its session when cleanup() drops the database (57P01): not an error of the test.
    this.pool.on('error', () => undefined);
    this.redis = new Redis(config.REDIS_URL);
  }

  get baseUrl(): string {
    if (!this.ingress) throw new Error('ingress not started');
    return `http://127.0.0.1:${this.ingress.port}`;
  }

  static async create(overrides: Record<string, string> = {}): Promise<TestEnv> {
    const runId = inject('runId');
    const id = `${runId}_${randomBytes(3).toString('hex')}`;
    const dbName = `onsale_t_${id}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${dbName}`;
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: url.toString(),
      AMQP_PREFIX: `t_${id}.`,
      REDIS_PREFIX: `t_${id}_:`,
      PORT: '0',
      NOTIFIER_PORT: '0',
      WORKER_PORT: '0',
      PARTITIONS: '2',
      TICK_MS: '200',
      JWT_SECRET: 'test-secret-of-sufficient-length',
      REGISTER_RATE_LIMIT: '1000',
      ...overrides,
    });
    await migrate(config.DATABASE_URL);
    return new TestEnv(config, dbName);
  }

  token(userId: string, role: Role = 'buyer'): string {
    return signToken(this.config.JWT_SECRET, { user_id: userId, role });
  }

  /** Ingress in this process. `overrides` change its configuration only (e.g. NOTIFIER_PUBLIC_URL). */
  async startIngress(overrides: Partial<Config> = {}): Promise<RunningIngress> {
    const ingress = await startIngress(Object.freeze({ ...this.config, ...overrides }), createLogger('ingress'), 0);
    this.ingress = ingress;
    this.closers.push(() => ingress.close());
    return ingress;
  }

  async startNotifier(): Promise<RunningNotifier> {
    const notifier = await startNotifier(this.config, createLogger('notifier'), 0);
    this.notifier = notifier;
    this.closers.push(() => notifier.close());
    return notifier;
  }

  /** A worker in this process. `overrides` change its configuration only (e.g. the payment provider's URL). */
  async startWorker(overrides: Partial<Config> = {}, options: WorkerOptions = {}): Promise<RunningWorker> {
    const w = await startWorker(Object.freeze({ ...this.config, ...overrides }), createLogger('worker'), options);
    this.workers.push(w);
    this.closers.push(() => w.close());
    return w;
  }

  /** A worker as a separate OS process (for kill -9). Resolves when it answers /readyz. */
  spawnWorker(): Promise<ChildProcess & { port: number }> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'booking-workers/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...envOf(this.config), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    }) as ChildProcess & { port: number };
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return Promise.resolve(child);
  }

  /**
   * The payment provider simulator on a free port, signing with this installation's webhook secret.
   * Start ingress first, then the worker with {@link paymentWorkerConfig} so both ends meet.
   */
  async startPaymentSim(config: Partial<Omit<SimConfig, 'secret'>> = {}): Promise<RunningPaymentSim> {
    const sim = await startPaymentSim(
      { secret: this.config.PAYMENT_WEBHOOK_SECRET, ...config },
      0,
      createLogger('payment-sim'),
    );
    this.closers.push(() => sim.close());
    return sim;
  }

  /** Worker settings that point the payment stage at `sim` and its callbacks at this ingress. */
  paymentWorkerConfig(sim: RunningPaymentSim): Partial<Config> {
    return { PAYMENT_PROVIDER_URL: sim.url, PUBLIC_BASE_URL: this.baseUrl };
  }

  /** An account (table `users`, migration 002) with this e-mail; returns its id (a uuid, usable as a token subject). */
  async createUser(email: string, role: Role = 'buyer'): Promise<string> {
    const id = randomUUID();
    await this.pool.query('INSERT INTO users (id, email, password_hash, name, role) VALUES ($1, $2, $3, $4, $5)', [
      id,
      email,
      'not-a-real-hash',
      email.split('@')[0],
      role,
    ]);
    return id;
  }

  /** JSON over HTTP to the ingress. */
  async http(
    method: string,
    p: string,
    opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${p}`, { method, headers, body });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  /** A connected Socket.IO client of the notifier. */
  async socket(token: string): Promise<ClientSocket> {
    if (!this.notifier) throw new Error('notifier not started');
    const s: ClientSocket = ioClient(`http://127.0.0.1:${this.notifier.port}`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.closers.push(() => Promise.resolve(s.close()));
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  }

  /** Creates an event through the API as an organizer and waits until its inventory is ready. */
  async createEvent(body: Record<string, unknown>): Promise<string> {
    const res = await this.http('POST', '/v1/events', {
      token: this.token('organizer-1', 'organizer'),
      body: { name: 'Test event', starts_at: new Date(Date.now() + 86400_000).toISOString(), ...body },
    });
    if (res.status !== 201) throw new Error(`create event: ${res.status} ${JSON.stringify(res.body)}`);
    const id = res.body.id as string;
    await waitFor(
      async () =>
        (await this.pool.query('SELECT inventory_ready FROM events WHERE id = $1', [id])).rows[0]?.inventory_ready ===
        true,
      20_000,
      'inventory ready',
    );
    return id;
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    const conn = await amqp.connect(this.config.AMQP_URL);
    const ch = await conn.createChannel();
    await deleteTopology(ch, buildTopology(this.config));
    await conn.close();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.config.REDIS_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    this.redis.disconnect();
    await this.pool.end();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`);
    await admin.end();
  }
}

export function envOf(config: Config): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
}

/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
