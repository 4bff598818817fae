import { fork } from 'node:child_process';
import path from 'node:path';
import type { Job, JobResult } from '../load/jobs';
import { REPO_ROOT, track } from './roles';

/**
 * Runs one measurement in a fresh load-generator process (so its CPU, event loop and garbage are
 * its own, as a real client population's would be) and returns what it reports over IPC. The process
 * is killed when it outlives `timeoutS`.
 */
export function runLoadGenerator<J extends Job>(job: J, timeoutS: number): Promise<JobResult<J>> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(REPO_ROOT, 'bench/load-generator.ts'), [], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_LOADGEN_NODE_ARGS ?? '').split(' ').filter(Boolean)],
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(child);
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (!settled) reject(new Error(`load generator (${job.mode}) timed out after ${timeoutS} s`));
      settled = true;
    }, timeoutS * 1000);
    child.on('message', (m: { ok: boolean; result?: JobResult<J>; error?: string }) => {
      if (settled) return;
      settled = true;
      if (m.ok) resolve(m.result!);
      else reject(new Error(`load generator (${job.mode}): ${m.error}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`load generator (${job.mode}) exited with ${code ?? signal} and no result`));
      settled = true;
    });
  });
}
