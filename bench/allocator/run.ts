import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scenarios, type ScenarioName } from '../scenarios';
import { allocatorInput } from './allocator-input';
import { measureRound, type RoundResult } from './measure-allocator';

/**
 * `npm run bench:allocator [-- --rounds 15 --warmup 5 --only ga_hot]`: the allocator's pure decision
 * function (`decideBook`) alone, no I/O, on one thread, over the benchmark's GA and reserved streams
 * (bench/scenarios.ts: 50,000 units / seats, more than twice that asked for). Each round decides the
 * whole stream on a fresh inventory and is checked (nothing held twice, totals add up). Prints
 * decisions per second and writes bench/results/allocator-latest.json. Exits 1 if anything is oversold.
 *
 * The target is judged on decisions per CPU-second (median round): on a shared machine wall-clock
 * rates mostly measure the other processes; both are reported.
 */

const TARGETS: Record<ScenarioName, number> = { ga_hot: 1_000_000, reserved_hot: 200_000 };
const MAX_PER_REQUEST = 10;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const only = values.only ? new Set(values.only.split(',')) : null;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => ({ median: median(xs), best: Math.max(...xs), worst: Math.min(...xs) });
const fmt = (n: number) => n.toLocaleString('en');

const results = [];
let oversold = 0;
const loadBefore = os.loadavg()[0]!;
for (const spec of scenarios()) {
  if (only && !only.has(spec.name)) continue;
  const input = allocatorInput(spec);
  const now = Date.now();
  for (let i = 0; i < warmup; i++) measureRound(input, MAX_PER_REQUEST, now);
  const measured: RoundResult[] = [];
  for (let i = 0; i < rounds; i++) measured.push(measureRound(input, MAX_PER_REQUEST, now));
  const totals = measured[0]!.totals;
  const scenarioOversold = measured.reduce((n, r) => n + r.totals.oversold, 0);
  oversold += scenarioOversold;
  const perCpu = spread(measured.map((r) => r.decisionsPerCpuS));
  const row = {
    scenario: spec.name,
    kind: spec.kind,
    capacity: spec.capacity,
    requests: input.requests,
    held: totals.held,
    rejected: totals.rejected,
    units_held: totals.unitsHeld,
    oversold: scenarioOversold,
    rounds,
    decisions_per_cpu_s: perCpu,
    decisions_per_wall_s: spread(measured.map((r) => r.decisionsPerS)),
    round_cpu_ms_median: Number(median(measured.map((r) => r.cpuMs)).toFixed(2)),
    round_wall_ms_median: Number(median(measured.map((r) => r.wallMs)).toFixed(2)),
    ns_per_decision: Math.round(1e9 / perCpu.median),
    target_per_s: TARGETS[spec.name],
    meets_target: perCpu.median >= TARGETS[spec.name],
  };
  results.push(row);
  console.log(
    `${spec.name.padEnd(13)} ${fmt(perCpu.median).padStart(10)} decisions per CPU-second (median of ${rounds} rounds of ${fmt(input.requests)}; ` +
      `best ${fmt(perCpu.best)}, worst ${fmt(perCpu.worst)}; wall-clock median ${fmt(row.decisions_per_wall_s.median)}/s) ` +
      `target ${fmt(row.target_per_s)} ${row.meets_target ? 'met' : 'MISSED'} · held ${fmt(row.held)}, rejected ${fmt(row.rejected)}, ` +
      `${fmt(row.units_held)}/${fmt(row.capacity)} ${spec.kind === 'reserved' ? 'seats' : 'units'} · oversold ${scenarioOversold}`,
  );
}

const out = {
  at: new Date().toISOString(),
  node: process.version,
  // Without --expose-gc (plain `tsx bench/allocator/run.ts`) rounds also pay for collecting their set-up.
  gc_between_rounds: typeof globalThis.gc === 'function',
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cpus: os.cpus().length,
  loadavg_1m: { before: Number(loadBefore.toFixed(2)), after: Number(os.loadavg()[0]!.toFixed(2)) },
  function: 'decideBook (booking-workers/allocator/allocate.ts)',
  scenarios: results,
};
const file = path.join(ROOT, 'bench/results/allocator-latest.json');
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(
  `wrote ${path.relative(ROOT, file)} (load average ${out.loadavg_1m.before} → ${out.loadavg_1m.after} on ${out.cpus} cores)`,
);
if (oversold) {
  console.error(`OVERSOLD: ${oversold}`);
  process.exitCode = 1;
}
