import { decideBook } from '../../booking-workers/allocator/allocate';
import type { BookingState } from '../../booking-workers/allocator/inventory';
import type { AllocatorInput } from './allocator-input';
import { checkAllocation, type AllocationTotals } from './check-oversold';

export interface RoundResult {
  /** Decisions over wall-clock time: lowered by anything else the machine's cores are running. */
  decisionsPerS: number;
  /**
   * Decisions over the CPU time the process used (all its threads, garbage collection included): what
   * one core does when it is the allocator's alone, whatever else the machine is busy with.
   */
  decisionsPerCpuS: number;
  wallMs: number;
  cpuMs: number;
  totals: AllocationTotals;
}

/** Decides the whole stream once on a fresh inventory; only the decision loop is timed. */
export function measureRound(input: AllocatorInput, maxPerRequest: number, now: number): RoundResult {
  const inv = input.inventory();
  const commands = input.commands();
  const limits = { maxPerRequest };
  const decisions = new Array<BookingState>(commands.length);
  // Collect the previous round and settle this round's input (run with --expose-gc): the timed loop
  // then pays for the garbage it makes, not for what setting it up made.
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < commands.length; i++) decisions[i] = decideBook(inv, commands[i]!, now, limits);
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = Number(t1 - t0) / 1e6;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    decisionsPerS: Math.round(commands.length / (wallMs / 1000)),
    decisionsPerCpuS: Math.round(commands.length / (cpuMs / 1000)),
    wallMs,
    cpuMs,
    totals: checkAllocation(inv, decisions, commands.length),
  };
}
