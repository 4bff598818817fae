import { round, summarize } from '../stats';
import type { OutcomeChecks } from '../load/jobs';
import type { CrowdPart, CrowdSummary } from './crowd-job';

/**
 * Merges what the crowd's load-generator processes measured into one figure set. Rates are over
 * the longest process's window ('go' → its last outcome): all of them started on the same 'go'.
 */
export function summarizeCrowd(
  parts: CrowdPart[],
): CrowdSummary &
  OutcomeChecks & { broadcasts_per_watcher: number; silent_watchers: number; disconnects: Record<string, number> } {
  const sum = (f: (p: CrowdPart) => number) => parts.reduce((n, p) => n + f(p), 0);
  const decided = sum((p) => p.held + p.rejected);
  const wallS = Math.max(0, ...parts.map((p) => p.last_outcome_ms)) / 1000;
  const httpErrors: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.http_errors)) httpErrors[k] = (httpErrors[k] ?? 0) + v;
  const disconnects: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.disconnects)) disconnects[k] = (disconnects[k] ?? 0) + v;
  return {
    submitted: sum((p) => p.submitted),
    accepted: sum((p) => p.accepted),
    decided,
    held: sum((p) => p.held),
    rejected: sum((p) => p.rejected),
    refused: sum((p) => p.refused),
    decided_per_s: wallS > 0 ? Math.round(decided / wallS) : 0,
    wall_s: round(wallS, 2),
    accept: summarize(parts.flatMap((p) => p.accept_ms)),
    result: summarize(parts.flatMap((p) => p.result_ms)),
    decided_to_received: summarize(parts.flatMap((p) => p.decided_to_received_ms)),
    http_errors: httpErrors,
    lost: sum((p) => p.lost),
    no_outcome: sum((p) => p.no_outcome),
    conflicting_outcomes: sum((p) => p.conflicting_outcomes),
    repeated_announcements: sum((p) => p.repeated_announcements),
    not_durable_as_announced: sum((p) => p.not_durable_as_announced),
    // Every watcher of one event gets the same broadcasts: the best-informed one is the count sent.
    broadcasts_per_watcher: Math.max(0, ...parts.map((p) => p.broadcasts_per_watcher)),
    silent_watchers: sum((p) => p.silent_watchers),
    disconnects,
  };
}

/** How many processes to spread `sockets` client sockets over: at most ~5,000 each, at least `min`. */
export function generatorCount(sockets: number, min = 2): number {
  return Math.max(min, Math.ceil(sockets / 5000));
}

/** Splits `n` as evenly as possible into `k` parts (the first ones one larger). */
export function split(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** "Max open files" soft limit of a /proc/<pid>/limits text (null when unlimited or absent). */
export function parseOpenFilesLimit(limits: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)\s+/m.exec(limits);
  return m && m[1] !== 'unlimited' ? Number(m[1]) : null;
}
