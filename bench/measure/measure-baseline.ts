import type { BenchIdentity } from '../setup/bench-identity';
import type { BenchEnv } from '../setup/create-bench-env';
import { runLoadGenerator } from '../setup/run-load-generator';
import { baselineOversold, resetBaselineTables } from '../baselines/schema';
import type { BaselineName } from '../baselines/contender';
import type { BaselineLoadResult } from '../load/jobs';
import type { ScenarioSpec } from '../scenarios';
import type { BenchSettings } from '../settings';

export interface BaselineResult extends BaselineLoadResult {
  oversold: number;
  time_box_s: number;
}

/** One lock-based design on one scenario, on fresh tables holding the same inventory. */
export async function measureBaseline(
  b: BenchIdentity,
  env: BenchEnv,
  s: BenchSettings,
  spec: ScenarioSpec,
  name: BaselineName,
): Promise<BaselineResult> {
  await resetBaselineTables(env.pool, spec);
  const load = await runLoadGenerator(
    {
      mode: 'baseline',
      name,
      databaseUrl: b.config.DATABASE_URL,
      redisUrl: b.config.REDIS_URL,
      redisPrefix: `${b.config.REDIS_PREFIX}${spec.name}:${name}:`,
      spec,
      clients: s.clients,
      poolSize: s.baselinePool,
      maxSeconds: s.baselineSeconds,
      cpuPids: {},
    },
    s.baselineSeconds + 90,
  );
  return { ...load, oversold: await baselineOversold(env.pool, spec, name), time_box_s: s.baselineSeconds };
}
