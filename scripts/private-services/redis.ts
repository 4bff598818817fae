import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, killGroup, killGroupSync, onExitCleanup, run, spawnDaemon, until } from './process';

/**
 * A throwaway `redis-server` on a free port, with no persistence: every restart comes back empty,
 * which is the "Redis restarted empty" fault.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private readonly forget: () => void;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {
    this.forget = onExitCleanup(() => {
      killGroupSync(this.child);
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), mkdtempSync(path.join(tmpdir(), 'onsale-redis-')));
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--daemonize',
      'no',
    ];
    this.child = spawnDaemon('redis-server', args, process.env, path.join(this.dir, 'redis.log'));
    await until(() => this.ready(), 30_000, `Redis on ${this.port}`);
  }

  /** SHUTDOWN NOSAVE: clients see the connection close, the data is gone. */
  async stop(): Promise<void> {
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']).catch(() => undefined);
    await killGroup(this.child, 'SIGTERM', 10_000);
  }

  async crash(): Promise<void> {
    await killGroup(this.child, 'SIGKILL');
  }

  async restartEmpty(): Promise<void> {
    await this.crash();
    await this.start();
  }

  async ready(): Promise<boolean> {
    const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    try {
      await c.connect();
      const pong: string = await c.ping();
      return pong === 'PONG';
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  }

  async destroy(): Promise<void> {
    this.forget();
    await killGroup(this.child, 'SIGKILL');
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}
