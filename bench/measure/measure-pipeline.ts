import type { BenchIdentity } from '../setup/bench-identity';
import type { BenchEnv } from '../setup/create-bench-env';
import { createReadyEvent } from '../setup/create-ready-event';
import { runLoadGenerator } from '../setup/run-load-generator';
import { startRole, stopRole, type RunningRole } from '../setup/roles';
import { histogramQuantiles, type HistogramDelta } from '../report/histogram-quantiles';
import { pipelineOversold } from '../report/pipeline-oversold';
import type { PipelineLoadResult } from '../load/jobs';
import { scenarios, type ScenarioSpec } from '../scenarios';
import type { BenchSettings } from '../settings';

const WARM_UP_CAPACITY = 2000;

export interface PipelineRun extends PipelineLoadResult {
  clients: number;
  oversold: number;
  /** Per batch: dequeue → committed → announced (confirmed) → acked (onsale_worker_batch_seconds). */
  worker_batch: HistogramDelta;
  /** Per batch: dequeue → committed (onsale_worker_commit_seconds). */
  worker_commit: HistogramDelta;
  worker_batch_messages_mean: number;
}

export interface PipelineResult extends PipelineRun {
  worker_env: Record<string, string>;
  /** The same on-sale at fewer requests in flight: what latency costs in throughput. */
  latency_profile: Array<
    Pick<
      PipelineRun,
      | 'clients'
      | 'decided_per_s'
      | 'p50_ms'
      | 'p99_ms'
      | 'oversold'
      | 'lost'
      | 'worker_batch'
      | 'worker_batch_messages_mean'
    > & { inventory: number }
  >;
}

/**
 * The worker's metrics once every batch so far has been observed: "ready" (or a load run's last
 * outcome) is announced before that batch's histograms are, and it must not leak into the next
 * measurement (e.g. inventory.init: expanding and inserting 50,000 seats, a second or so). Bounded: 10 s.
 */
async function settledMetrics(worker: RunningRole, token: string | undefined): Promise<string> {
  const scrape = () =>
    fetch(`${worker.url}/metrics`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(5000),
    }).then(async (r) => {
      // A refused scrape must fail the run, not read as a worker that decided nothing.
      if (!r.ok) throw new Error(`worker /metrics answered ${r.status}`);
      return r.text();
    });
  const count = (text: string) => Number(/^onsale_worker_batch_seconds_count\{[^}]*\} (\S+)$/m.exec(text)?.[1] ?? 0);
  let last = await scrape();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const next = await scrape();
    if (count(next) >= 1 && count(next) === count(last)) return next;
    last = next;
  }
  return last;
}

/** One load run on a ready event, with the worker's histograms scraped before and after. */
async function runOnEvent(
  b: BenchIdentity,
  env: BenchEnv,
  worker: RunningRole,
  spec: ScenarioSpec,
  ev: { id: string; partition: number },
  clients: number,
  maxSeconds: number,
): Promise<PipelineRun> {
  const before = await settledMetrics(worker, b.config.METRICS_TOKEN);
  const load = await runLoadGenerator(
    {
      mode: 'pipeline',
      amqpUrl: b.config.AMQP_URL,
      databaseUrl: b.config.DATABASE_URL,
      prefix: b.config.AMQP_PREFIX,
      eventId: ev.id,
      partition: ev.partition,
      spec,
      clients,
      maxSeconds,
      cpuPids: { worker: worker.child.pid },
    },
    maxSeconds + 90,
  );
  const after = await settledMetrics(worker, b.config.METRICS_TOKEN);
  const batchSize = histogramQuantiles(before, after, 'onsale_worker_batch_messages');
  return {
    ...load,
    clients,
    oversold: await pipelineOversold(env.pool, ev.id),
    worker_batch: histogramQuantiles(before, after, 'onsale_worker_batch_seconds'),
    worker_commit: histogramQuantiles(before, after, 'onsale_worker_commit_seconds'),
    // The histogram's mean is exact (sum / count) whatever its buckets; histogramQuantiles reports it ×1000.
    worker_batch_messages_mean: Math.round(batchSize.mean_ms / 1000),
  };
}

/**
 * Onsale's pipeline on one scenario: a fresh worker process (so its memory holds only these events),
 * a small warm-up on-sale on the same partition (a long-running worker is JIT-warm and has its
 * statements prepared), the latency profile (the same kind of on-sale at fewer requests in flight, each
 * on a fresh event pinned to the same partition), then the measured on-sale. The profile runs first so
 * that it meets the same fresh tables as the main run rather than the aftermath of 44,000 inserts.
 */
export async function measurePipeline(
  b: BenchIdentity,
  env: BenchEnv,
  s: BenchSettings,
  spec: ScenarioSpec,
): Promise<PipelineResult> {
  const worker = await startRole('booking-workers/main.ts', b.config, 'WORKER_PORT', s.workerEnv);
  try {
    const ev = await createReadyEvent(env, b.config.PARTITIONS, spec);
    const small = scenarios(WARM_UP_CAPACITY).find((x) => x.name === spec.name)!;
    await runOnEvent(
      b,
      env,
      worker,
      small,
      await createReadyEvent(env, b.config.PARTITIONS, small, ev.partition),
      Math.min(s.clients, 500),
      20,
    );

    const latency_profile: PipelineResult['latency_profile'] = [];
    const profileSpec = scenarios(s.profileCapacity).find((x) => x.name === spec.name)!;
    for (const clients of s.profileClients) {
      const pev = await createReadyEvent(env, b.config.PARTITIONS, profileSpec, ev.partition);
      const r = await runOnEvent(b, env, worker, profileSpec, pev, clients, s.pipelineSeconds);
      latency_profile.push({
        clients,
        inventory: profileSpec.capacity,
        decided_per_s: r.decided_per_s,
        p50_ms: r.p50_ms,
        p99_ms: r.p99_ms,
        oversold: r.oversold,
        lost: r.lost,
        worker_batch: r.worker_batch,
        worker_batch_messages_mean: r.worker_batch_messages_mean,
      });
    }
    const main = await runOnEvent(b, env, worker, spec, ev, s.clients, s.pipelineSeconds);
    return { ...main, worker_env: s.workerEnv, latency_profile };
  } finally {
    await stopRole(worker);
  }
}
