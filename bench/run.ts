import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BASELINE_NAMES } from './baselines/contender';
import { measureBaseline } from './measure/measure-baseline';
import { measureCrowd, type CrowdPartName } from './crowd/measure-crowd';
import { measureHttp } from './measure/measure-http';
import { measurePipeline } from './measure/measure-pipeline';
import { formatTable } from './report/print-table';
import type { BenchResults, ScenarioResult } from './report/results';
import { checkTargets } from './report/targets';
import { scenarios } from './scenarios';
import { parseSettings, type BenchSettings } from './settings';
import { benchIdentity, type BenchIdentity } from './setup/bench-identity';
import { createBenchEnv } from './setup/create-bench-env';
import { destroyBenchEnv } from './setup/destroy-bench-env';
import { killAll, REPO_ROOT } from './setup/roles';
import { runLoadGenerator } from './setup/run-load-generator';

/**
 * `npm run bench [-- --quick]`: Onsale's pipeline against the lock-based designs on the same machine,
 * data, request stream and concurrency, plus the broker's own ceiling and the full HTTP + Socket.IO
 * path. Every role and the load generator run as separate processes. Everything the run creates (a
 * database, a queue prefix, a Redis prefix, child processes) is removed at the end, on failure too.
 * Prints a table and writes bench/results/latest.json plus a timestamped copy.
 */
const settings = parseSettings(process.argv.slice(2));
const identity = benchIdentity(settings.partitions);
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const wanted = (what: string) => settings.only === null || settings.only.has(what as never);
const CROWD_PARTS: CrowdPartName[] = ['crowd', 'crowd_watchers', 'crowd_sockets'];
const crowdParts = new Set(CROWD_PARTS.filter(wanted));
/** A run that outlives this is stopped, cleaned up and reported as failed (the crowd adds its connects, runs and drains). */
const WATCHDOG_S =
  (settings.mode === 'quick' ? 280 : 1200) +
  (crowdParts.size ? 300 + crowdParts.size * (settings.crowd.seconds + settings.crowd.drainSeconds + 120) : 0);

async function measure(b: BenchIdentity, s: BenchSettings, results: BenchResults): Promise<void> {
  const env = await createBenchEnv(b);
  try {
    if (wanted('ceiling')) {
      log('broker ceiling');
      results.broker_ceiling = await runLoadGenerator(
        {
          mode: 'ceiling',
          amqpUrl: b.config.AMQP_URL,
          queue: `${b.config.AMQP_PREFIX}ceiling`,
          count: s.ceiling.count,
          trials: s.ceiling.trials,
        },
        180,
      );
    }
    for (const spec of scenarios(s.capacity)) {
      if (!wanted(spec.name)) continue;
      const scenario: ScenarioResult = { inventory: spec.capacity, requests: spec.requests, baselines: {} };
      results.scenarios[spec.name] = scenario;
      if (s.contenders.has('pipeline')) {
        log(`${spec.name}: pipeline`);
        scenario.pipeline = await measurePipeline(b, env, s, spec);
      }
      for (const name of BASELINE_NAMES) {
        if (!s.contenders.has(name)) continue;
        log(`${spec.name}: ${name}`);
        scenario.baselines[name] = await measureBaseline(b, env, s, spec, name);
      }
    }
    if (wanted('http')) {
      log(`http_end_to_end: ${s.http.clients} socket clients`);
      results.http_end_to_end = await measureHttp(b, env, s);
    }
    if (crowdParts.size) results.crowd = await measureCrowd(b, env, s, crowdParts, log);
  } finally {
    await env.close();
  }
}

/** latest.json + a timestamped copy; a failed run only writes failed-<timestamp>.json (latest.json stays the last good run). */
function writeResults(results: BenchResults): string {
  const dir = path.join(REPO_ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const stamp = results.at.replace(/[:.]/g, '-');
  if (results.errors?.length) {
    writeFileSync(path.join(dir, `failed-${stamp}.json`), json);
    return `bench/results/failed-${stamp}.json`;
  }
  writeFileSync(path.join(dir, 'latest.json'), json);
  writeFileSync(path.join(dir, `${stamp}.json`), json);
  return 'bench/results/latest.json';
}

let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killAll();
    const problems = await destroyBenchEnv(identity);
    for (const p of problems) log(`cleanup: ${p}`);
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  log(`watchdog: the run exceeded ${WATCHDOG_S} s; stopping`);
  void cleanup().finally(() => process.exit(1));
}, WATCHDOG_S * 1000);
watchdog.unref();

const started = performance.now();
const results: BenchResults = {
  at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model.trim(),
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    loadavg_1m_at_start: loadavg()[0],
  },
  settings: {
    mode: settings.mode,
    clients: settings.clients,
    baseline_pool: settings.baselinePool,
    baseline_seconds: settings.baselineSeconds,
    partitions: settings.partitions,
    worker_env: settings.workerEnv,
    http_clients: settings.http.clients,
    crowd: settings.crowd,
    run_id: identity.id,
  },
  scenarios: {},
};
log(
  `run ${identity.id} (${settings.mode}): database ${identity.dbName}, AMQP prefix ${identity.config.AMQP_PREFIX}, Redis prefix ${identity.config.REDIS_PREFIX}`,
);
try {
  await measure(identity, settings, results);
} catch (err) {
  results.errors = [(err as Error).stack ?? String(err)];
  log(`failed: ${(err as Error).stack}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
results.machine.loadavg_1m_at_end = loadavg()[0];
results.targets = checkTargets(results);
results.duration_s = Math.round((performance.now() - started) / 1000);
const written = writeResults(results);
process.stdout.write(`\n${formatTable(results)}\n\n${written} (${results.duration_s} s)\n`);
