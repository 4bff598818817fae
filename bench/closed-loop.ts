import { round, summarize, type LatencySummary } from './stats';

/** `refused`: the system declined to accept the request (a broker nack, a 503): neither decided nor lost. */
export type Outcome = 'held' | 'rejected' | 'lost' | 'refused';

/** What one contender reports for one scenario. */
export interface ContenderResult extends LatencySummary {
  decided_per_s: number;
  /** Requests started; the rest of the stream was not reached before the time box. */
  requests: number;
  decided: number;
  held: number;
  rejected: number;
  lost: number;
  refused: number;
  wall_s: number;
  /**
   * Decided per second up to the last successful hold: the contended phase, while inventory lasts
   * (after it, rejections are cheap for everyone). The same measure for time-boxed and complete runs.
   */
  to_sellout_decided_per_s: number;
  /** The whole stream was run (otherwise the time box stopped it). */
  completed: boolean;
}

/**
 * Closed-loop clients, the same for every contender: `clients` buyers each take the next request of
 * the stream, submit it, wait for its outcome, and go again, until the stream is done or the time box
 * ends (requests in flight then still finish). decided_per_s = decided / (last outcome − start).
 */
export async function closedLoop<T>(
  stream: readonly T[],
  clients: number,
  maxSeconds: number,
  run: (req: T, i: number) => Promise<Outcome>,
): Promise<ContenderResult> {
  let next = 0;
  const latencies: number[] = [];
  let held = 0;
  let rejected = 0;
  let lost = 0;
  let refused = 0;
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  let lastOutcome = started;
  let lastHeld = started;
  const decidedAt: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < stream.length && performance.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        const outcome = await run(stream[i]!, i);
        const t1 = performance.now();
        if (outcome === 'lost' || outcome === 'refused') {
          if (outcome === 'lost') lost++;
          else refused++;
          continue;
        }
        latencies.push(t1 - t0);
        decidedAt.push(t1);
        lastOutcome = Math.max(lastOutcome, t1);
        if (outcome === 'held') {
          held++;
          lastHeld = Math.max(lastHeld, t1);
        } else rejected++;
      }
    }),
  );
  const wall = (lastOutcome - started) / 1000;
  const decided = held + rejected;
  const toSellout = (lastHeld - started) / 1000;
  const decidedToSellout = decidedAt.filter((t) => t <= lastHeld).length;
  return {
    decided_per_s: wall > 0 ? Math.round(decided / wall) : 0,
    ...summarize(latencies),
    requests: next,
    decided,
    held,
    rejected,
    lost,
    refused,
    wall_s: round(wall, 2),
    to_sellout_decided_per_s: toSellout > 0 ? Math.round(decidedToSellout / toSellout) : 0,
    completed: next >= stream.length,
  };
}
