import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../../shared/config';

/**
 * Onsale's roles as separate processes, started the way production starts them
 * (`node --import tsx <role>/main.ts` with environment configuration).
 *
 * BENCH_ROLE_ROOT runs the roles from another checkout (e.g. a worktree with a pipeline patch) against
 * the same database and broker, to measure a change before proposing it; BENCH_ROLE_NODE_ARGS adds
 * node flags (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const ROLE_ROOT = process.env.BENCH_ROLE_ROOT ?? REPO_ROOT;
const NODE_ARGS = (process.env.BENCH_ROLE_NODE_ARGS ?? '').split(' ').filter(Boolean);

const children = new Set<ChildProcess>();

export interface RunningRole {
  child: ChildProcess;
  port: number;
  url: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function roleEnv(config: Config, extra: Record<string, string>): NodeJS.ProcessEnv {
  const fromConfig = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...fromConfig, NODE_ENV: 'production', ...extra };
}

/**
 * Starts a role and resolves once its /readyz answers 200 (bounded: 30 s). `root`: the checkout the
 * script is in (the bench's own helpers, such as the bare Express floor, live in this one).
 */
export async function startRole(
  script: string,
  config: Config,
  portVar: 'WORKER_PORT' | 'PORT' | 'NOTIFIER_PORT',
  extra: Record<string, string> = {},
  root = ROLE_ROOT,
): Promise<RunningRole> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', path.join(root, script)], {
    cwd: root,
    env: roleEnv(config, { ...extra, [portVar]: String(port) }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, port, url };
    if (Date.now() > deadline) throw new Error(`${script} was not ready within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Graceful stop (SIGTERM: the role finishes and acks its batch in flight), then SIGKILL after 15 s. */
export async function stopRole(role: RunningRole): Promise<void> {
  const { child } = role;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  // The child may have exited while we waited: the rule cannot see `await` change these fields.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Registers a child (a load generator) so that killAll reaches it too. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.on('exit', () => children.delete(child));
}

/** Last resort on failure or interruption: every child this run started, by its own handle. */
export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
}
