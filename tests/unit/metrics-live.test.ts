import { describe, expect, it } from 'vitest';
import type { OpsLive, OpsLiveEvent } from '../../shared/contracts/ops-live';
import { LiveHistory, formatRate, perSecond, sparkPath } from '../../web/src/lib/metrics-live';

const EVENT = '00000000-0000-4000-8000-000000000001';
const ev = (over: Partial<OpsLiveEvent>): OpsLiveEvent => ({
  event_id: EVENT,
  name: 'Show',
  partition: 3,
  accepted: 0,
  decided: 0,
  parked: 0,
  holds: 0,
  holds_expiring: 0,
  rate_per_s: 0,
  throttle_per_s: null,
  paused: false,
  ...over,
});
const snap = (at: number, events: OpsLiveEvent[], depth: number | null = 0): OpsLive => ({
  at: new Date(at).toISOString(),
  partitions: [{ partition: 0, depth, consumers: 1, rate_per_s: 0, owner: null, epoch: 1 }],
  events,
  payment_breaker: 'closed',
  sockets: 2,
  notifiers: 1,
});

describe('operations console data layer', () => {
  it('derives accepted/s and decided/s from counter deltas over the real interval', () => {
    const h = new LiveHistory();
    h.push(snap(10_000, [ev({ accepted: 100, decided: 40, rate_per_s: 7 })]));
    // The first snapshot has no previous one: accepted/s unknown (0), decided/s from the worker's own rate.
    expect(h.current(EVENT)).toMatchObject({ acceptedPerS: 0, decidedPerS: 7, waiting: 60 });
    h.push(snap(12_500, [ev({ accepted: 350, decided: 90, parked: 4, holds_expiring: 2 })]));
    expect(h.current(EVENT)).toEqual({ acceptedPerS: 100, decidedPerS: 20, parked: 4, holdsExpiring: 2, waiting: 260 });
    expect(h.eventSeries(EVENT, 'acceptedPerS').map((p) => p.v)).toEqual([0, 100]);
  });

  it('treats a counter that went down (a restart, an emptied Redis) as no progress, not a negative rate', () => {
    expect(perSecond(500, 20, 2)).toBe(0);
    expect(perSecond(10, 30, 0)).toBe(0);
    expect(perSecond(10, 30, 4)).toBe(5);
  });

  it('keeps a bounded history and skips missing queue depths', () => {
    const h = new LiveHistory(3);
    for (let i = 0; i < 5; i++) h.push(snap(i * 2000, [ev({ accepted: i * 10 })], i === 3 ? null : i));
    expect(h.socketSeries()).toHaveLength(3);
    expect(h.partitionSeries(0, 'depth').map((p) => p.v)).toEqual([2, 4]);
    // An event absent from a snapshot (quiet) leaves a gap, not a zero.
    h.push(snap(10_000, []));
    expect(h.eventSeries(EVENT, 'acceptedPerS')).toHaveLength(2);
  });

  it('draws a sparkline scaled to its maximum with the newest point at the right edge', () => {
    const { d, max } = sparkPath(
      [
        { t: 0, v: 0 },
        { t: 5, v: 10 },
        { t: 10, v: 5 },
      ],
      100,
      20,
      10,
    );
    expect(max).toBe(10);
    expect(d).toBe('M0.0 20.0 L50.0 0.0 L100.0 10.0');
    expect(sparkPath([], 100, 20, 10)).toEqual({ d: '', max: 0 });
    expect(formatRate(3.14159)).toBe('3.1');
    expect(formatRate(123.6)).toBe('124');
  });
});
