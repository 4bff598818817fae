import type { OpsLive, OpsLiveEvent } from '../../../shared/contracts/ops-live';

/**
 * The operations console's data layer, free of the DOM: a short history of `GET /v1/ops/live`
 * snapshots and the per-second rates derived from their counters. Pure, so tests run it in Node.
 */

/** One point of a chart: seconds since the epoch and a value. */
export interface Point {
  t: number;
  v: number;
}

/** What the console charts for one event at one snapshot. */
export interface EventSample {
  acceptedPerS: number;
  decidedPerS: number;
  parked: number;
  holdsExpiring: number;
  /** Accepted but not yet decided (sequence minus watermark). */
  waiting: number;
}

/** Counter increase per second between two readings; a reset (restart, flushed Redis) counts as 0, not negative. */
export function perSecond(before: number, after: number, seconds: number): number {
  if (seconds <= 0 || after < before) return 0;
  return (after - before) / seconds;
}

/** The sample of one event between the previous snapshot (if any) and this one. */
export function sampleOf(prev: OpsLiveEvent | undefined, next: OpsLiveEvent, seconds: number): EventSample {
  return {
    acceptedPerS: prev ? perSecond(prev.accepted, next.accepted, seconds) : 0,
    decidedPerS: prev ? perSecond(prev.decided, next.decided, seconds) : next.rate_per_s,
    parked: next.parked,
    holdsExpiring: next.holds_expiring,
    waiting: Math.max(0, next.accepted - next.decided),
  };
}

/** A bounded history of snapshots with the samples derived from each consecutive pair. */
export class LiveHistory {
  private readonly snaps: OpsLive[] = [];
  private readonly samples: Array<Map<string, EventSample>> = [];

  /** @param size - snapshots kept (at one per 2 s, 90 is three minutes). @defaultValue 90 */
  constructor(private readonly size = 90) {}

  get latest(): OpsLive | undefined {
    return this.snaps[this.snaps.length - 1];
  }

  push(snap: OpsLive): void {
    const prev = this.snaps[this.snaps.length - 1];
    const seconds = prev ? (Date.parse(snap.at) - Date.parse(prev.at)) / 1000 : 0;
    const before = new Map(prev?.events.map((e) => [e.event_id, e]));
    this.samples.push(new Map(snap.events.map((e) => [e.event_id, sampleOf(before.get(e.event_id), e, seconds)])));
    this.snaps.push(snap);
    if (this.snaps.length > this.size) {
      this.snaps.shift();
      this.samples.shift();
    }
  }

  /** The latest sample of an event. */
  current(eventId: string): EventSample | undefined {
    return this.samples[this.samples.length - 1]?.get(eventId);
  }

  /** One event's series of a sample field, oldest first (snapshots where it was absent are skipped). */
  eventSeries(eventId: string, field: keyof EventSample): Point[] {
    const out: Point[] = [];
    this.snaps.forEach((s, i) => {
      const sample = this.samples[i]?.get(eventId);
      if (sample) out.push({ t: Date.parse(s.at) / 1000, v: sample[field] });
    });
    return out;
  }

  /** One partition's series: its queue depth (missing readings skipped) or decision rate. */
  partitionSeries(partition: number, field: 'depth' | 'rate_per_s'): Point[] {
    const out: Point[] = [];
    for (const s of this.snaps) {
      const v = s.partitions[partition]?.[field];
      if (v !== null && v !== undefined) out.push({ t: Date.parse(s.at) / 1000, v });
    }
    return out;
  }

  /** Connected sockets over time. */
  socketSeries(): Point[] {
    return this.snaps.map((s) => ({ t: Date.parse(s.at) / 1000, v: s.sockets }));
  }
}

/**
 * An SVG path (`M x y L x y …`) of a series scaled into a `width` × `height` box, the newest point at
 * the right edge and `spanS` seconds across; the maximum is the top (at least 1 so a flat zero line sits at the bottom).
 */
export function sparkPath(
  points: readonly Point[],
  width: number,
  height: number,
  spanS: number,
): { d: string; max: number } {
  if (!points.length) return { d: '', max: 0 };
  const end = points[points.length - 1]!.t;
  const max = Math.max(1, ...points.map((p) => p.v));
  const d = points
    .filter((p) => p.t >= end - spanS)
    .map((p, i) => {
      const x = width - ((end - p.t) / spanS) * width;
      const y = height - (p.v / max) * height;
      return `${i ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
    })
    .join(' ');
  return { d, max };
}

/** A rate for people: one decimal below 10, whole numbers above. */
export function formatRate(v: number): string {
  return v < 10 ? v.toFixed(1) : String(Math.round(v));
}
