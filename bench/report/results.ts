import type { BaselineName } from '../baselines/contender';
import type { CeilingResult } from '../load/jobs';
import type { BaselineResult } from '../measure/measure-baseline';
import type { CrowdResults } from '../crowd/measure-crowd';
import type { HttpResult } from '../measure/measure-http';
import type { PipelineResult } from '../measure/measure-pipeline';
import type { ScenarioName } from '../scenarios';
import type { TargetCheck } from './targets';

/** The shape of bench/results/latest.json. */
export interface BenchResults {
  at: string;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  broker_ceiling?: CeilingResult;
  scenarios: Partial<Record<ScenarioName, ScenarioResult>>;
  http_end_to_end?: HttpResult;
  /** Issue 10: the bare Express floor, the sustained crowd (without and with idle watchers), many sockets on one notifier. */
  crowd?: CrowdResults;
  targets?: TargetCheck[];
  duration_s?: number;
  errors?: string[];
}

export interface ScenarioResult {
  inventory: number;
  requests: number;
  pipeline?: PipelineResult;
  baselines: Partial<Record<BaselineName, BaselineResult>>;
}
