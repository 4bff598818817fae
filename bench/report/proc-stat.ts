import { readdirSync, readFileSync } from 'node:fs';

/**
 * Per-process CPU and memory from the kernel's own accounting (Linux `/proc`), as pure parsers plus
 * one reader, so the crowd benchmark can say how many CPU microseconds each role spent per booking.
 */

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux the bench runs on). */
export const TICKS_PER_S = 100;
const MICROS_PER_TICK = 1_000_000 / TICKS_PER_S;

export interface ProcStat {
  pid: number;
  /** Executable name (may contain spaces and parentheses: it is taken up to the last ')'). */
  comm: string;
  ppid: number;
  /** utime + stime, in ticks. */
  ticks: number;
}

/** One /proc/<pid>/stat line. Fields after the comm: state(3) ppid(4) … utime(14) stime(15). */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('not a /proc/<pid>/stat line');
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const ppid = Number(fields[1]);
  if (!Number.isFinite(ticks) || !Number.isFinite(ppid)) throw new Error('not a /proc/<pid>/stat line');
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), ppid, ticks };
}

/** VmRSS of a /proc/<pid>/status text, in bytes (null when absent, e.g. a zombie). */
export function parseRssBytes(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

/** Every live process's stat (processes that exit while being read are skipped). Empty off Linux. */
export function readAllStats(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const e of entries) {
    try {
      out.push(parseProcStat(readFileSync(`/proc/${e}/stat`, 'utf8')));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export function rssOf(pid: number): number | null {
  try {
    return parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Ticks per role: a role is a list of root pids and owns them and all their descendants (an ingress
 * running several processes under node:cluster counts as one role); services are matched by
 * executable name (`beam.smp`, `postgres`, `redis-server`), PostgreSQL only through `pgFilter` (its
 * backends serving this run, not other people's tests on the same server).
 */
export function ticksByRole(
  stats: ProcStat[],
  roots: Record<string, number[]>,
  services: Record<string, string> = {},
  pgFilter: (pid: number) => boolean = () => true,
): Record<string, number> {
  const rootRole = new Map<number, string>();
  for (const [role, pids] of Object.entries(roots)) for (const pid of pids) rootRole.set(pid, role);
  const parent = new Map(stats.map((s) => [s.pid, s.ppid]));
  const roleOf = (pid: number): string | undefined => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) {
      const r = rootRole.get(p);
      if (r) return r;
    }
    return undefined;
  };
  const out: Record<string, number> = {};
  for (const role of [...Object.keys(roots), ...new Set(Object.values(services))]) out[role] = 0;
  for (const s of stats) {
    let role = roleOf(s.pid);
    if (!role) {
      const service = services[s.comm];
      if (!service || (s.comm === 'postgres' && !pgFilter(s.pid))) continue;
      role = service;
    }
    out[role] = (out[role] ?? 0) + s.ticks;
  }
  return out;
}

/**
 * The processes of `before` that still run in `after` (same pid and name), so that a process exiting
 * between two readings (e.g. another test's private RabbitMQ) does not take its whole lifetime's CPU
 * out of its group's difference. Its CPU inside the window is lost; processes started inside the
 * window count from zero.
 */
export function survivors(before: ProcStat[], after: ProcStat[]): ProcStat[] {
  const later = new Map(after.map((s) => [s.pid, s.comm]));
  return before.filter((s) => later.get(s.pid) === s.comm);
}

/** CPU microseconds per unit of work (booking, request, broadcast) for each role between two readings. */
export function microsPer(
  before: Record<string, number>,
  after: Record<string, number>,
  units: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [role, ticks] of Object.entries(after)) {
    const used = Math.max(0, ticks - (before[role] ?? 0)) * MICROS_PER_TICK;
    out[role] = units > 0 ? Math.round(used / units) : 0;
  }
  return out;
}
