import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU went during a measurement, from /proc (Linux only; elsewhere it reports
 * nothing): RabbitMQ, PostgreSQL and Redis by process name, the roles and the load generator by pid,
 * everything else as `other` (e.g. other engineers' test suites on the same machine).
 * Values are in cores (1.0 = one core busy for the whole interval).
 */
export interface CpuSnapshot {
  at: number;
  byGroup: Map<string, number>;
  total: number;
}

const TICKS_PER_S = 100;
export const SERVICES: Record<string, string> = {
  'beam.smp': 'rabbitmq',
  postgres: 'postgresql',
  'redis-server': 'redis',
};

/** PostgreSQL backends serving this run's database, other databases (other people's tests), or shared processes (WAL writer, checkpointer…). */
export function postgresGroup(pid: string, dbName: string | undefined): string {
  let title = '';
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'postgresql';
  }
  if (dbName && title.includes(` ${dbName} `)) return 'postgresql';
  if (
    /postgres: \S+ \S+ \S+/.test(title) &&
    !/(writer|checkpointer|autovacuum|launcher|logger|archiver|stats|walsender|walreceiver)/.test(title)
  )
    return 'other';
  return 'postgresql_shared';
}

export function cpuSnapshot(pids: Record<string, number | undefined> = {}, dbName?: string): CpuSnapshot {
  const byPid = new Map(Object.entries(pids).flatMap(([name, pid]) => (pid ? [[pid, name] as const] : [])));
  const byGroup = new Map<string, number>();
  let total = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return { at: performance.now(), byGroup, total };
  }
  for (const e of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    const service = SERVICES[comm];
    const group = byPid.get(Number(e)) ?? (service === 'postgresql' ? postgresGroup(e, dbName) : service) ?? 'other';
    byGroup.set(group, (byGroup.get(group) ?? 0) + ticks);
    total += ticks;
  }
  return { at: performance.now(), byGroup, total };
}

/** Cores used per group between two snapshots (processes that started or ended between them count partly). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return {};
  const out: Record<string, number> = {};
  for (const [group, ticks] of after.byGroup) {
    const used = (ticks - (before.byGroup.get(group) ?? 0)) / TICKS_PER_S / seconds;
    if (used > 0.005) out[group] = Math.round(used * 100) / 100;
  }
  return out;
}

/** Runs `fn` and reports the cores each group used meanwhile (the caller's own process as `load_generator`). */
export async function withCpu<T>(
  pids: Record<string, number | undefined>,
  fn: () => Promise<T>,
  dbName?: string,
): Promise<{ result: T; cpu_cores: Record<string, number> }> {
  const all = { ...pids, load_generator: process.pid };
  const before = cpuSnapshot(all, dbName);
  const result = await fn();
  return { result, cpu_cores: cpuBetween(before, cpuSnapshot(all, dbName)) };
}

export const dbNameOf = (url: string) => new URL(url).pathname.slice(1);
