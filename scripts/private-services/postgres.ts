import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, onExitCleanup, run, until } from './process';

/** The newest PostgreSQL server binaries installed (Debian layout), or those on PATH. */
function pgBin(name: string): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(path.join(base, v, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin', name);
  }
  return name;
}

/** PostgreSQL refuses to run as root: run its tools as `postgres` then. */
function asPgUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/**
 * A throwaway PostgreSQL cluster (initdb, trust auth) in a temp directory on a free port.
 * `stop('fast')` and `crash()` (`pg_ctl stop -m immediate`: no checkpoint, recovery at the next start)
 * are the two faults; `start()` brings it back on the same port and data.
 */
export class PrivatePostgres {
  readonly port: number;
  readonly dir: string;
  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'onsale-pg-'));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(dir, uid, gid);
    }
    const port = await freePort();
    const pgsql = new PrivatePostgres(port, dir);
    pgsql.forget = onExitCleanup(() => {
      const [cmd, args] = asPgUser(pgBin('pg_ctl'), ['-D', pgsql.dataDir, '-m', 'immediate', '-w', 'stop']);
      try {
        execFileSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
      } catch {
        /* not running */
      }
      rmSync(dir, { recursive: true, force: true });
    });
    const [cmd, args] = asPgUser(pgBin('initdb'), [
      '-D',
      pgsql.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    await run(cmd, args);
    await pgsql.start();
    return pgsql;
  }

  /** `postgres://postgres@127.0.0.1:<port>/<db>` */
  url(db = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    // Unix socket in our own directory, TCP on loopback only; fsync off: a crash here is a process crash, not a power cut.
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=64MB`;
    await this.ctl(['-w', '-t', '120', '-l', path.join(this.dir, 'server.log'), '-o', opts, 'start']);
    await until(() => this.ready(), 60_000, `PostgreSQL on ${this.port}`);
  }

  /** Graceful stops: `fast` disconnects every session (57P01) and checkpoints. */
  async stop(mode: 'fast' | 'smart' = 'fast'): Promise<void> {
    await this.ctl(['-w', '-t', '60', '-m', mode, 'stop']);
  }

  /** Immediate shutdown: every process quits at once with no checkpoint (crash recovery at the next start). */
  async crash(): Promise<void> {
    await this.ctl(['-w', '-t', '60', '-m', 'immediate', 'stop']);
  }

  async ready(): Promise<boolean> {
    const c = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async createDatabase(name: string): Promise<string> {
    const c = new pg.Client({ connectionString: this.url() });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name.replace(/[^a-z0-9_]/gi, '')}`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  /** Stops the server whatever its state and removes its directory. Safe to call twice. */
  async destroy(): Promise<void> {
    this.forget();
    if (!existsSync(this.dir)) return;
    await this.ctl(['-w', '-t', '30', '-m', 'immediate', 'stop'], 40_000).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
  private forget: () => void = () => undefined;

  private ctl(args: string[], timeoutMs = 120_000): Promise<string> {
    const [cmd, a] = asPgUser(pgBin('pg_ctl'), ['-D', this.dataDir, ...args]);
    return run(cmd, a, process.env, timeoutMs);
  }
}
