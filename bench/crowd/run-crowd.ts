import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { postgresGroup, SERVICES } from '../report/cpu-usage';
import { readAllStats, rssOf, survivors, ticksByRole, type ProcStat } from '../report/proc-stat';
import { REPO_ROOT, track } from '../setup/roles';
import type { CrowdCommand, CrowdJob, CrowdMessage, CrowdPart } from './crowd-job';

export interface CrowdRunRaw {
  ready: Array<Extract<CrowdMessage, { type: 'ready' }>>;
  parts: CrowdPart[];
  /** Wall-clock from forking the generators until all were connected. */
  connect_ms: number;
  /** CPU ticks per role at 'go' and once every generator was done. */
  ticks_before: Record<string, number>;
  ticks_after: Record<string, number>;
  /** The notifier's resident memory before the generators started and once all were connected. */
  notifier_rss_before: number | null;
  notifier_rss_connected: number | null;
}

/** Waits for the next message of a generator, failing on a 'failed' message, an exit or a time-out. */
function nextMessage(child: ChildProcess, timeoutS: number, what: string): Promise<CrowdMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`crowd generator: no '${what}' within ${timeoutS} s`)),
      timeoutS * 1000,
    );
    const onMessage = (m: CrowdMessage) =>
      m.type === 'failed' ? done(new Error(`crowd generator: ${m.error}`)) : done(null, m);
    const onExit = (code: number | null) => done(new Error(`crowd generator exited with ${code} before '${what}'`));
    function done(err: Error | null, m?: CrowdMessage) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Runs one crowd over several generator processes and reads each role's CPU counters between 'go'
 * and the last generator's 'done'. `roots`: the role processes (their descendants count to them);
 * the generators count as `load_generator`.
 */
export async function runCrowd(
  jobs: CrowdJob[],
  roots: Record<string, number[]>,
  notifierPid: number | undefined,
  dbName: string,
  timeoutS: number,
): Promise<CrowdRunRaw> {
  const rssBefore = notifierPid ? rssOf(notifierPid) : null;
  const started = performance.now();
  const children = jobs.map((job) => {
    const child = fork(path.join(REPO_ROOT, 'bench/crowd/crowd-generator.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_CROWD_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(child);
    return child;
  });
  try {
    const ready = (await Promise.all(children.map((c) => nextMessage(c, timeoutS, 'ready')))) as CrowdRunRaw['ready'];
    const connectMs = performance.now() - started;
    const rssConnected = notifierPid ? rssOf(notifierPid) : null;
    const allRoots = { ...roots, load_generator: children.map((c) => c.pid!) };
    const byRole = (stats: ProcStat[]) =>
      ticksByRole(stats, allRoots, SERVICES, (pid) => postgresGroup(String(pid), dbName) === 'postgresql');
    const beforeStats = readAllStats();
    const dones = children.map((c) => nextMessage(c, timeoutS, 'done'));
    for (const c of children) c.send({ type: 'go' } satisfies CrowdCommand);
    // Processes of watchers only listen until every booker's process is done.
    const listening = (i: number) => jobs[i]!.bookers === 0;
    await Promise.all(dones.filter((_, i) => !listening(i)));
    children.forEach((c, i) => listening(i) && c.send({ type: 'stop' } satisfies CrowdCommand));
    const parts = (await Promise.all(dones)).map((m) => (m as Extract<CrowdMessage, { type: 'done' }>).result);
    const afterStats = readAllStats();
    // Only processes alive at both readings (and new ones) are compared: see `survivors`.
    const before = byRole(survivors(beforeStats, afterStats));
    const after = byRole(afterStats);
    return {
      ready,
      parts,
      connect_ms: Math.round(connectMs),
      ticks_before: before,
      ticks_after: after,
      notifier_rss_before: rssBefore,
      notifier_rss_connected: rssConnected,
    };
  } finally {
    await Promise.all(
      children.map(async (c) => {
        const alive = () => c.exitCode === null && c.signalCode === null;
        if (!alive()) return;
        const exited = new Promise((r) => c.once('exit', r));
        if (c.connected) c.send({ type: 'close' } satisfies CrowdCommand);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
        if (alive()) c.kill('SIGKILL');
      }),
    );
  }
}
