import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { openSync, closeSync } from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A free TCP port on 127.0.0.1, chosen by the kernel (never one of the shared services'). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    // The shared services' ports and Erlang's default epmd port are off limits even if free.
    if (![5432, 6379, 5672, 4369, 25672, 15672].includes(port)) return port;
  }
}

/** Runs a command to completion, throwing with its output when it fails. */
export async function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 120_000,
): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/**
 * Starts a long-running service in its own process group with its output appended to `logFile`, so
 * `killGroup` can `kill -9` it with every child it forked.
 */
export function spawnDaemon(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.on('error', () => undefined);
  return child;
}

/** Sends `signal` to the child's whole process group; resolves once the leader has exited. */
export async function killGroup(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGKILL',
  timeoutMs = 30_000,
): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  await Promise.race([exited, sleep(timeoutMs)]);
  // Read again after the wait: the child may have exited meanwhile (the rule sees only the earlier check).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await exited;
  }
}

/** Polls `check` until it returns true or throws `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    void import('node:net').then(({ connect }) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  });
}

/**
 * Last-resort teardown: when the process that started private services exits without having
 * destroyed them (an uncaught error, Ctrl-C, a test runner's kill), these synchronous functions kill
 * what is left, so nothing keeps running on the machine. `destroy()` removes its entry.
 */
const exitCleanups = new Set<() => void>();
let hooked = false;

export function onExitCleanup(fn: () => void): () => void {
  exitCleanups.add(fn);
  if (!hooked) {
    hooked = true;
    const runAll = () => {
      for (const f of exitCleanups) {
        try {
          f();
        } catch {
          /* best effort */
        }
      }
      exitCleanups.clear();
    };
    process.once('exit', runAll);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        runAll();
        process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
      });
    }
  }
  return () => {
    exitCleanups.delete(fn);
  };
}

/** Synchronous `kill -9` of a child's process group (for {@link onExitCleanup}). */
export function killGroupSync(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}
