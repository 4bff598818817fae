import { createEventSchema, type CreateEventBody } from '../shared/contracts/events';
import { mulberry32 } from '../shared/random';

/**
 * The two hot on-sales every contender is measured on, and the one deterministic request stream per
 * scenario that every contender is fed (same seed, same order, same sizes).
 */

export type ScenarioName = 'ga_hot' | 'reserved_hot';

export interface ScenarioSpec {
  name: ScenarioName;
  kind: 'general_admission' | 'reserved';
  /** Units (GA) or seats (reserved). */
  capacity: number;
  /** Reserved: sections of equal rows, best section first. */
  sections: number;
  rowsPerSection: number;
  seatsPerRow: number;
  /** Requests in the stream: more than twice the inventory is asked for. */
  requests: number;
}

export interface BenchRequest {
  user: string;
  quantity: number;
  /** Reserved: the section aimed at (most requests aim at the best ones); absent = best anywhere. */
  section?: string;
}

export const CAPACITY = 50_000;
const DEMAND_OVER_SUPPLY = 2.2;
const SEATS_PER_ROW = 100;
const SECTIONS = 10;
/** Share of reserved requests aimed at the three best sections. */
const AIMED_AT_BEST = 0.7;

export function scenarios(capacity = CAPACITY): ScenarioSpec[] {
  return [
    // 1–4 tickets, 2.5 on average.
    {
      name: 'ga_hot',
      kind: 'general_admission',
      capacity,
      sections: 0,
      rowsPerSection: 0,
      seatsPerRow: 0,
      requests: Math.ceil((DEMAND_OVER_SUPPLY * capacity) / 2.5),
    },
    // 2–4 adjacent seats, 3 on average.
    {
      name: 'reserved_hot',
      kind: 'reserved',
      capacity,
      sections: SECTIONS,
      rowsPerSection: Math.ceil(capacity / (SECTIONS * SEATS_PER_ROW)),
      seatsPerRow: SEATS_PER_ROW,
      requests: Math.ceil((DEMAND_OVER_SUPPLY * capacity) / 3),
    },
  ];
}

/** A seeded PRNG, so every contender gets the very same request stream. */
export const prng = mulberry32;

export function requestStream(spec: ScenarioSpec, seed = 42): BenchRequest[] {
  const rnd = prng(seed);
  const out: BenchRequest[] = [];
  for (let i = 0; i < spec.requests; i++) {
    if (spec.kind === 'general_admission') {
      out.push({ user: `u${i}`, quantity: 1 + Math.floor(rnd() * 4) });
      continue;
    }
    const quantity = 2 + Math.floor(rnd() * 3);
    const aimed = rnd() < AIMED_AT_BEST;
    out.push({ user: `u${i}`, quantity, ...(aimed ? { section: `S${Math.floor(rnd() * 3)}` } : {}) });
  }
  return out;
}

/** The event as an organizer would create it; the pipeline expands the very same layout the baselines get. */
export function eventBody(spec: ScenarioSpec, partition?: number): CreateEventBody {
  const common = {
    name: `bench ${spec.name}`,
    ...(partition !== undefined ? { partition } : {}),
    starts_at: new Date(Date.now() + 86_400_000).toISOString(),
    hold_seconds: 3600,
    max_per_user: 8,
  };
  return createEventSchema.parse(
    spec.kind === 'general_admission'
      ? { ...common, general_admission: { capacity: spec.capacity, price: 50 } }
      : {
          ...common,
          sections: Array.from({ length: spec.sections }, (_, s) => ({
            name: `S${s}`,
            rows: spec.rowsPerSection,
            seats_per_row: spec.seatsPerRow,
            price: 200 - s * 10,
          })),
        },
  );
}
