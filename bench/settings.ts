import { parseArgs } from 'node:util';
import { BASELINE_NAMES, type BaselineName } from './baselines/contender';
import type { CrowdPartName } from './crowd/measure-crowd';
import { CAPACITY, type ScenarioName } from './scenarios';

/**
 * Everything a run is parameterised by, from the command line:
 *   npm run bench [-- --quick] [--only ga_hot,reserved_hot,ceiling,http] [--contenders pipeline,skip_locked]
 *                 [--clients 1000] [--baseline-seconds 8] [--worker-env WORKER_BATCH_MAX=1000,WORKER_PREFETCH=1000]
 *                 [--crowd-bookers 3000] [--crowd-watchers 10000] [--crowd-sockets 20000] [--crowd-seconds 20]
 * --only also takes the crowd parts of issue 10: crowd (sustained crowd), crowd_watchers (the same
 * with idle watchers), crowd_sockets (many sockets on one notifier); any of them runs the bare
 * Express floor first.
 * --quick keeps the same scenarios, sizes and table, with shorter time boxes for the lock-based
 * designs (they cannot get through a 50,000-seat on-sale in minutes) and fewer socket clients.
 */
export interface BenchSettings {
  mode: 'quick' | 'full';
  capacity: number;
  /** Closed-loop clients with a request in flight, the same for every contender. */
  clients: number;
  /** pg pool of the lock-based designs (a request handler gets one connection from it). */
  baselinePool: number;
  /** Time box of each lock-based design per scenario. */
  baselineSeconds: number;
  /** Time box of the pipeline per scenario (it normally finishes the whole stream well before). */
  pipelineSeconds: number;
  /** The pipeline's latency profile: the same on-sale (this many units/seats) at fewer requests in flight. */
  profileClients: number[];
  profileCapacity: number;
  partitions: number;
  ceiling: { count: number; trials: Array<{ window: number; prefetch: number }> };
  http: { clients: number; perClient: number; connections: number };
  /** The crowd benchmark (issue 10): bookers each POST, watch and wait for the result, in a loop. */
  crowd: {
    bookers: number;
    watchers: number;
    sockets: number;
    seconds: number;
    floorSeconds: number;
    drainSeconds: number;
  };
  /** Worker settings: the tuning this run measures (README, "what was tuned"). */
  workerEnv: Record<string, string>;
  only: Set<ScenarioName | 'ceiling' | 'http' | CrowdPartName> | null;
  contenders: Set<'pipeline' | BaselineName>;
}

/** Worker tuning found best on the 2-core machine (see README, Benchmark). */
export const TUNED_WORKER_ENV: Record<string, string> = {
  WORKER_PREFETCH: '1000',
  WORKER_BATCH_MAX: '1000',
};

export function parseSettings(argv: string[]): BenchSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      contenders: { type: 'string' },
      clients: { type: 'string' },
      'baseline-seconds': { type: 'string' },
      'http-clients': { type: 'string' },
      'http-connections': { type: 'string' },
      'worker-env': { type: 'string' },
      'crowd-bookers': { type: 'string' },
      'crowd-watchers': { type: 'string' },
      'crowd-sockets': { type: 'string' },
      'crowd-seconds': { type: 'string' },
    },
  });
  const quick = values.quick;
  const workerEnv = { ...TUNED_WORKER_ENV };
  for (const pair of (values['worker-env'] ?? '').split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    if (!k || v === undefined) throw new Error(`--worker-env: expected KEY=VALUE, got ${pair}`);
    workerEnv[k] = v;
  }
  const contenders = new Set(
    (values.contenders ?? ['pipeline', ...BASELINE_NAMES].join(',')).split(','),
  ) as BenchSettings['contenders'];
  for (const c of contenders)
    if (c !== 'pipeline' && !BASELINE_NAMES.includes(c)) throw new Error(`--contenders: unknown ${c}`);
  return {
    mode: quick ? 'quick' : 'full',
    capacity: CAPACITY,
    clients: Number(values.clients ?? 1000),
    baselinePool: 64,
    baselineSeconds: Number(values['baseline-seconds'] ?? (quick ? 5 : 30)),
    pipelineSeconds: 120,
    profileClients: quick ? [100] : [100, 250, 500],
    profileCapacity: quick ? 10_000 : CAPACITY,
    partitions: 2,
    ceiling: {
      count: quick ? 30_000 : 100_000,
      trials: [
        { window: 1000, prefetch: Number(workerEnv.WORKER_PREFETCH) },
        { window: 5000, prefetch: 1000 },
        { window: 1000, prefetch: 250 },
      ],
    },
    http: {
      clients: Number(values['http-clients'] ?? (quick ? 2000 : 5000)),
      perClient: 1,
      connections: Number(values['http-connections'] ?? 256),
    },
    crowd: {
      bookers: Number(values['crowd-bookers'] ?? (quick ? 500 : 3000)),
      watchers: Number(values['crowd-watchers'] ?? (quick ? 2000 : 10_000)),
      sockets: Number(values['crowd-sockets'] ?? (quick ? 4000 : 20_000)),
      seconds: Number(values['crowd-seconds'] ?? (quick ? 8 : 20)),
      floorSeconds: quick ? 5 : 15,
      drainSeconds: quick ? 60 : 120,
    },
    workerEnv,
    only: values.only ? (new Set(values.only.split(',')) as BenchSettings['only']) : null,
    contenders,
  };
}
