import type { Job } from './load/jobs';
import { loadCeiling } from './load/ceiling';
import { loadPipeline } from './load/pipeline';
import { loadBaseline } from './load/baseline';
import { loadHttp } from './load/http';

/**
 * The load generator: a separate process that bench/run.ts forks once per measurement. It reads its
 * job from BENCH_JOB and sends back one result over IPC, then exits.
 */
const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;

async function run(j: Job): Promise<unknown> {
  switch (j.mode) {
    case 'ceiling':
      return loadCeiling(j);
    case 'pipeline':
      return loadPipeline(j);
    case 'baseline':
      return loadBaseline(j);
    case 'http':
      return loadHttp(j);
  }
}

run(job).then(
  (result) => process.send!({ ok: true, result }, () => process.exit(0)),
  (err: unknown) => process.send!({ ok: false, error: (err as Error).stack ?? String(err) }, () => process.exit(1)),
);
