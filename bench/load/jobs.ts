import type { ContenderResult } from '../closed-loop';
import type { ScenarioSpec } from '../scenarios';
import type { BaselineName } from '../baselines/contender';
import type { LatencySummary } from '../stats';

/** What the orchestrator asks one load-generator process to do (passed as JSON in BENCH_JOB). */
export type Job = CeilingJob | PipelineJob | BaselineJob | HttpJob;

export interface CeilingJob {
  mode: 'ceiling';
  amqpUrl: string;
  queue: string;
  count: number;
  /** Settings tried: confirm window (publishes awaiting a confirm at most) and consumer prefetch. */
  trials: Array<{ window: number; prefetch: number }>;
}

export interface CeilingTrial {
  window: number;
  prefetch: number;
  msgs_per_s: number;
  cpu_cores: Record<string, number>;
}

/** Processes whose CPU is reported by name (the roles' pids). */
type CpuPids = Record<string, number | undefined>;

export interface PipelineJob {
  mode: 'pipeline';
  cpuPids: CpuPids;
  amqpUrl: string;
  databaseUrl: string;
  prefix: string;
  eventId: string;
  partition: number;
  spec: ScenarioSpec;
  clients: number;
  maxSeconds: number;
}

export interface BaselineJob {
  mode: 'baseline';
  cpuPids: CpuPids;
  name: BaselineName;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  spec: ScenarioSpec;
  clients: number;
  poolSize: number;
  maxSeconds: number;
}

export interface HttpJob {
  mode: 'http';
  cpuPids: CpuPids;
  ingressUrl: string;
  notifierUrl: string;
  databaseUrl: string;
  jwtSecret: string;
  eventId: string;
  /** Socket.IO clients connected at once; each submits `perClient` bookings one after the other. */
  clients: number;
  perClient: number;
  /** Keep-alive connections to ingress (a load balancer's pool). */
  httpConnections: number;
  maxSeconds: number;
}

export interface CeilingResult {
  msgs_per_s: number;
  messages: number;
  message_bytes: number;
  confirm_window: number;
  prefetch: number;
  publish_only_msgs_per_s: number;
  trials: CeilingTrial[];
}

/** Outcome accounting of the pipeline and the HTTP path. */
export interface OutcomeChecks {
  /** Accepted but not exactly one decided outcome (none, or two different ones), or not durable as announced. */
  lost: number;
  no_outcome: number;
  conflicting_outcomes: number;
  /** Same booking and status announced again (allowed: a redelivery re-announces). */
  repeated_announcements: number;
  not_durable_as_announced: number;
}

export interface PipelineLoadResult extends ContenderResult, OutcomeChecks {
  /** Per booking: the worker's decision time (decided_at, batch start) → result received here. */
  decided_to_received: LatencySummary;
  message_bytes: number;
  cpu_cores: Record<string, number>;
}

export interface BaselineLoadResult extends ContenderResult {
  retries: number;
  gave_up: number;
  cpu_cores: Record<string, number>;
}

export interface HttpLoadResult extends ContenderResult, OutcomeChecks {
  clients: number;
  connect_s: number;
  /** POST /v1/bookings → 202. */
  accept: LatencySummary;
  http_errors: Record<string, number>;
  cpu_cores: Record<string, number>;
  http_connections: number;
  /** Connections the kernel dropped meanwhile because an accept queue was full (machine-wide, Linux). */
  listen_overflows: number | null;
}

export type JobResult<J extends Job> = J extends CeilingJob
  ? CeilingResult
  : J extends PipelineJob
    ? PipelineLoadResult
    : J extends BaselineJob
      ? BaselineLoadResult
      : HttpLoadResult;
