import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../../../shared/db/migrate';
import { freePort, startPrivateServices, type PrivateServices } from '../../../scripts/private-services';
import { onExitCleanup } from '../../../scripts/private-services/process';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type RoleName = 'ingress' | 'notifier' | 'worker-a' | 'worker-b' | 'payment-sim';

const ENTRY: Record<RoleName, string> = {
  ingress: 'ingress/main.ts',
  notifier: 'notifier/main.ts',
  'worker-a': 'booking-workers/main.ts',
  'worker-b': 'booking-workers/main.ts',
  'payment-sim': 'payment-sim/main.ts',
};

/**
 * One role as an OS process, kept alive the way a supervisor (systemd, Kubernetes) would: when it exits
 * without being asked to, it is started again after a short pause. Onsale's roles are crash-only (a
 * worker that loses the broker exits), so the supervisor is part of the deployment being tested.
 */
export class RoleProcess {
  child?: ChildProcess;
  restarts: Array<{ at: number; code: number | null; signal: string | null }> = [];
  private wanted = false;
  private backoffMs = 250;
  private readonly logFile: string;

  constructor(
    readonly name: RoleName,
    readonly env: NodeJS.ProcessEnv,
    readonly port: number,
    logDir: string,
    /** `false`: a one-off process the supervisor does not start again. */
    private readonly supervised = true,
    logName: string = name,
  ) {
    this.logFile = path.join(logDir, `${logName}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.wanted = true;
    this.spawn();
  }

  /**
   * `kill -9`; the supervisor starts it again unless `restart` is false (then call `start()` yourself).
   * Resolves once the old process is gone.
   */
  async kill9(opts: { restart?: boolean } = {}): Promise<number> {
    const child = this.child!;
    if (opts.restart === false) this.wanted = false;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
    return child.pid!;
  }

  /** Ready when its /readyz answers 200 (the payment simulator's /healthz). */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/${this.name === 'payment-sim' ? 'healthz' : 'readyz'}`, {
        signal: AbortSignal.timeout(3000),
      });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async waitReady(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.ready())) {
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logTail()}`);
      await sleep(250);
    }
  }

  /** Stops it for good: SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.wanted = false;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }

  /** The whole log of this role (stdout and stderr). */
  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private spawn(): void {
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, ENTRY[this.name])], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      if (this.child !== child || !this.wanted || !this.supervised) return;
      this.restarts.push({ at: Date.now(), code, signal });
      // Back off like a real supervisor while a dependency is down (0.5 s doubling to 8 s); a process
      // that ran for a while before dying starts again at once.
      this.backoffMs = Date.now() - startedAt > 30_000 ? 500 : Math.min(8000, this.backoffMs * 2);
      setTimeout(() => this.wanted && this.child === child && this.spawn(), this.backoffMs).unref();
    });
  }
}

/**
 * Private PostgreSQL, Redis and RabbitMQ (one node or a cluster), a migrated database, and every
 * Onsale role as a supervised child process: ingress, notifier, two workers (one active per
 * partition, one standby) and the payment simulator.
 */
export class FaultStack {
  readonly roles: Record<RoleName, RoleProcess>;
  private constructor(
    readonly services: PrivateServices,
    readonly env: NodeJS.ProcessEnv,
    roles: Record<RoleName, RoleProcess>,
    readonly logDir: string,
  ) {
    this.roles = roles;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.roles.ingress.port}`;
  }

  get notifierUrl(): string {
    return `http://127.0.0.1:${this.roles.notifier.port}`;
  }

  get databaseUrl(): string {
    return this.env.DATABASE_URL!;
  }

  static async create(
    opts: {
      rabbitNodes?: number;
      /** Which broker node the roles connect to. @defaultValue the single node, or the cluster's first */
      amqpUrl?: (s: PrivateServices) => string;
      env?: Record<string, string>;
      /** Runs after the database is migrated and before any role starts. */
      prepare?: (s: PrivateServices, env: NodeJS.ProcessEnv) => Promise<void>;
    } = {},
  ): Promise<FaultStack> {
    const services = await startPrivateServices({ rabbitNodes: opts.rabbitNodes });
    const logDir = mkdtempSync(path.join(tmpdir(), 'onsale-faults-logs-'));
    try {
      const databaseUrl = await services.postgres.createDatabase('onsale');
      await migrate(databaseUrl);
      const [ingressPort, notifierPort, workerA, workerB, simPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const base: NodeJS.ProcessEnv = {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        DATABASE_URL: databaseUrl,
        REDIS_URL: services.redis.url,
        AMQP_URL: opts.amqpUrl?.(services) ?? services.amqpUrl,
        AMQP_PREFIX: '',
        REDIS_PREFIX: 'onsale:',
        PARTITIONS: '2',
        TICK_MS: '250',
        JWT_SECRET: 'faults-secret-of-sufficient-length',
        PAYMENT_WEBHOOK_SECRET: 'faults-webhook-secret-long-enough',
        PORT: String(ingressPort),
        NOTIFIER_PORT: String(notifierPort),
        PAYMENT_SIM_PORT: String(simPort),
        PAYMENT_PROVIDER_URL: `http://127.0.0.1:${simPort}`,
        PUBLIC_BASE_URL: `http://127.0.0.1:${ingressPort}`,
        PAYMENT_SIM_LATENCY_MS: '100',
        // The provider is durable, as a real one is: what it accepted survives its kill -9.
        PAYMENT_SIM_JOURNAL: path.join(logDir, 'payment-sim.jsonl'),
        BOOKING_RATE_LIMIT: '100000',
        WAITING_ROOM_MINUTES: '0',
        NOTIFIER_POSITION_INTERVAL_MS: '1000',
        SHUTDOWN_TIMEOUT_MS: '5000',
        ...opts.env,
      };
      await opts.prepare?.(services, base);
      const role = (name: RoleName, port: number, extra: Record<string, string> = {}) =>
        new RoleProcess(name, { ...base, ...extra }, port, logDir);
      const roles: Record<RoleName, RoleProcess> = {
        'payment-sim': role('payment-sim', simPort),
        'worker-a': role('worker-a', workerA, { WORKER_PORT: String(workerA) }),
        'worker-b': role('worker-b', workerB, { WORKER_PORT: String(workerB) }),
        ingress: role('ingress', ingressPort),
        notifier: role('notifier', notifierPort),
      };
      const stack = new FaultStack(services, base, roles, logDir);
      stack.forget = onExitCleanup(() => {
        for (const r of Object.values(roles)) r.child?.kill('SIGKILL');
      });
      // worker-a first, so it is the active consumer of every partition and worker-b the standby.
      roles['payment-sim'].start();
      roles['worker-a'].start();
      await roles['worker-a'].waitReady();
      roles['worker-b'].start();
      roles.ingress.start();
      roles.notifier.start();
      await Promise.all(Object.values(roles).map((r) => r.waitReady()));
      return stack;
    } catch (err) {
      await services.destroy();
      rmSync(logDir, { recursive: true, force: true });
      throw err;
    }
  }

  async allReady(timeoutMs = 120_000): Promise<void> {
    await Promise.all(Object.values(this.roles).map((r) => r.waitReady(timeoutMs)));
  }

  /** The role whose process owns `partition` now (from `partitions.owner`, `worker-<pid>-…`). */
  roleByPid(pid: number): RoleProcess | undefined {
    return Object.values(this.roles).find((r) => r.pid === pid);
  }

  logs(): string {
    return Object.values(this.roles)
      .map((r) => `--- ${r.name} (restarts: ${r.restarts.length})\n${r.logTail(15)}`)
      .join('\n');
  }

  /** Stops every role and removes every private service and directory. Safe to call twice. */
  async destroy(): Promise<void> {
    await Promise.all(Object.values(this.roles).map((r) => r.stop().catch(() => undefined)));
    this.forget();
    await this.services.destroy();
    if (!process.env.ONSALE_FAULTS_KEEP_LOGS) rmSync(this.logDir, { recursive: true, force: true });
  }
  private forget: () => void = () => undefined;
}
