import type { LatencySummary } from '../stats';
import type { OutcomeChecks } from '../load/jobs';

/**
 * One crowd load-generator process's job (JSON in BENCH_CROWD_JOB). Several such processes share a
 * crowd, so the client side is not the bottleneck; the orchestrator starts them all, waits until
 * every one is connected ('ready'), reads the CPU counters, says 'go', and reads them again once
 * every one is 'done'.
 *
 * - `floor`: each booker POSTs the same booking body with its own token to the bare Express
 *   endpoint, one request in flight per booker, for `seconds`. No sockets.
 * - `crowd`: each booker has a Socket.IO connection to the notifier; in a loop for `seconds` it POSTs
 *   a booking to ingress, watches it (`booking.watch`) and waits for `booking.result`. Idle watchers
 *   only `event.watch` the event and count the broadcasts they receive.
 */
export interface CrowdJob {
  mode: 'floor' | 'crowd';
  /** ingress, or the bare Express endpoint in `floor` mode. */
  httpUrl: string;
  notifierUrl: string;
  databaseUrl: string;
  jwtSecret: string;
  eventId: string;
  bookers: number;
  watchers: number;
  /** Keep-alive connections of this process's HTTP pool. */
  httpConnections: number;
  seconds: number;
  /** How long after `seconds` bookings in flight may take to finish. */
  drainSeconds: number;
}

/** Generator → orchestrator. */
export type CrowdMessage =
  | { type: 'ready'; connect_ms: number; connected: number; connect_failures: number; watch_failures: number }
  | { type: 'done'; result: CrowdPart }
  | { type: 'failed'; error: string };

/**
 * Orchestrator → generator. A generator of watchers only (no bookers) keeps counting after 'go' until
 * 'stop' (sent once every booker's process is done), then reports.
 */
export type CrowdCommand = { type: 'go' } | { type: 'stop' } | { type: 'close' };

/** What one generator measured ('go' → its last outcome); merged over generators by the orchestrator. */
export interface CrowdPart extends OutcomeChecks {
  submitted: number;
  accepted: number;
  held: number;
  rejected: number;
  refused: number;
  /** ms since this process's 'go' until its last decided outcome. */
  last_outcome_ms: number;
  /** POST → 202, ms. */
  accept_ms: number[];
  /** POST → `booking.result`, ms (decided bookings only). */
  result_ms: number[];
  /** The worker's `decided_at` → the result's receipt here (same machine clock), ms. */
  decided_to_received_ms: number[];
  http_errors: Record<string, number>;
  /** Broadcasts (`event.update`, anything but per-booking pushes) one idle watcher received, the most over this process's watchers. */
  broadcasts_per_watcher: number;
  /** Idle watchers that received nothing at all during the run. */
  silent_watchers: number;
  /** Sockets dropped during the run, by socket.io's reason. */
  disconnects: Record<string, number>;
}

export interface CrowdSummary {
  submitted: number;
  accepted: number;
  decided: number;
  held: number;
  rejected: number;
  refused: number;
  decided_per_s: number;
  wall_s: number;
  accept: LatencySummary;
  result: LatencySummary;
  decided_to_received: LatencySummary;
  http_errors: Record<string, number>;
}
