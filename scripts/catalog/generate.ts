import { randomUUID } from 'node:crypto';
import { partitionFor } from '../../shared/partition';
import type { CreateEventBody, EventCategory, EventLayout } from '../../shared/contracts/events';
import { venueSeats, type VenueSeat, type VenueSection } from '../../ingress/services/create-venue';
import { layoutCapacity, resolveLayout } from '../../ingress/services/create-event';
import type { VenueSectionBody } from '../../shared/contracts/catalog';
import { mulberry32 } from '../../shared/random';
import {
  ADJ,
  CITIES,
  CONF,
  FIRST,
  GENRES,
  LAST,
  MASCOTS,
  NOUN,
  SHOWS,
  STREETS,
  TOPICS,
  TOUR,
  VENUE_WORDS,
} from './names';

/*
 * The catalog generator's pure part: venues, performers and events drawn from one seeded PRNG, in
 * memory. The draws happen in a fixed order (venues, performers, events), so the same seed gives the
 * same catalog; scripts/catalog/write.ts writes what these return.
 */

/** A seeded generator with the helpers the catalog needs. */
export function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof prng>;

export type VenueKind = keyof typeof VENUE_WORDS;
export interface GenVenue {
  id: string;
  kind: VenueKind;
  name: string;
  city: (typeof CITIES)[number];
  sections: VenueSection[];
  standing: number;
}
export interface GenPerformer {
  id: string;
  name: string;
  type: 'artist' | 'band' | 'team' | 'comedian' | 'speaker' | 'company';
  genre: string;
}

function venueSectionsFor(kind: VenueKind, rng: Rng): VenueSectionBody[] {
  if (kind === 'club') return [];
  const [min, max, rowsMin, rowsMax, seatsMin, seatsMax] =
    kind === 'theatre' ? [2, 4, 8, 20, 16, 32] : kind === 'arena' ? [6, 10, 12, 22, 24, 40] : [8, 14, 20, 30, 40, 60];
  const names =
    kind === 'theatre'
      ? ['Orchestra', 'Stalls', 'Dress Circle', 'Upper Circle', 'Balcony']
      : ['Floor', '101', '102', '103', '104', '105', '106', '201', '202', '203', '204', '205', '206', '301'];
  const n = rng.int(min, Math.min(max, names.length));
  return names.slice(0, n).map((name, i) => {
    const rows = rng.int(rowsMin, rowsMax);
    const first = rng.int(seatsMin, seatsMax);
    // Theatres widen towards the back; arenas have straight rows.
    if (kind === 'theatre') {
      return {
        name,
        rows: Array.from({ length: rows }, (_, r) => ({
          seats: Math.min(500, first + r),
          ...(r === rows - 1 ? { accessible: [1, 2] } : {}),
        })),
        y: i * 30,
      };
    }
    return {
      name,
      rows,
      seats_per_row: first,
      accessible: [
        { row: rows, seat: 1 },
        { row: rows, seat: 2 },
      ],
      y: i * 40,
    };
  });
}

/** Lowest and highest price of a layout, in cents (what the database trigger would compute). */
export function priceRange(layout: EventLayout): [number, number] {
  if (layout.kind === 'general_admission') return [layout.price_cents, layout.price_cents];
  const prices = layout.sections.map((s) => s.price_cents);
  return [Math.min(...prices), Math.max(...prices)];
}

/** A generated event: its `events` row (in the column order of the bulk insert) and its performers. */
export interface GenEvent {
  id: string;
  starts: number;
  row: unknown[];
  performers: GenPerformer[];
}

/** Venues with their seats, and the `venues` rows to write (in the column order of the bulk insert). */
export function generateVenues(
  rng: Rng,
  count: number,
): { venues: GenVenue[]; seatsByVenue: Array<[string, VenueSeat[]]>; seatCount: number; venueRows: unknown[][] } {
  const venues: GenVenue[] = [];
  const seatsByVenue: Array<[string, VenueSeat[]]> = [];
  let seatCount = 0;
  const venueRows: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    const kind: VenueKind = roll < 0.45 ? 'club' : roll < 0.85 ? 'theatre' : roll < 0.97 ? 'arena' : 'stadium';
    const city = rng.pick(CITIES);
    const name = rng.chance(0.4)
      ? `${city[0]} ${rng.pick(VENUE_WORDS[kind])}`
      : rng.chance(0.5)
        ? `The ${rng.pick(ADJ)} ${rng.pick(VENUE_WORDS[kind])}`
        : `${rng.pick(LAST)} ${rng.pick(VENUE_WORDS[kind])}`;
    const { layout, seats } = venueSeats(venueSectionsFor(kind, rng));
    const standing = kind === 'club' ? rng.int(150, 2500) : kind === 'stadium' ? rng.int(5000, 20000) : 0;
    const id = randomUUID();
    venues.push({ id, kind, name, city, sections: layout, standing });
    seatsByVenue.push([id, seats]);
    seatCount += seats.length;
    venueRows.push([
      id,
      name,
      `${rng.int(1, 999)} ${rng.pick(STREETS)}`,
      city[0],
      city[1],
      city[2] + (rng.next() - 0.5) * 0.2,
      city[3] + (rng.next() - 0.5) * 0.2,
      JSON.stringify({ sections: layout }),
      seats.length,
      standing,
    ]);
  }
  return { venues, seatsByVenue, seatCount, venueRows };
}

/** Performers with unique names (a second act of a taken name gets a numeral). */
export function generatePerformers(rng: Rng, count: number): GenPerformer[] {
  const performers: GenPerformer[] = [];
  const usedNames = new Set<string>();
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    const type: GenPerformer['type'] =
      roll < 0.4
        ? 'artist'
        : roll < 0.65
          ? 'band'
          : roll < 0.78
            ? 'team'
            : roll < 0.88
              ? 'comedian'
              : roll < 0.94
                ? 'speaker'
                : 'company';
    let name = '';
    for (let attempt = 0; attempt < 5 && (!name || usedNames.has(name)); attempt++) {
      const person = `${rng.pick(FIRST)} ${rng.chance(0.15) ? `${String.fromCharCode(65 + rng.int(0, 25))}. ` : ''}${rng.pick(LAST)}`;
      name =
        type === 'artist'
          ? rng.chance(0.15)
            ? `${rng.pick(['DJ', 'MC', 'Lil', 'Young', 'Big'])} ${rng.pick(FIRST)}`
            : rng.chance(0.1)
              ? `${person} & the ${rng.pick(NOUN)}`
              : person
          : type === 'comedian' || type === 'speaker'
            ? person
            : type === 'band'
              ? rng.chance(0.5)
                ? `The ${rng.pick(ADJ)} ${rng.pick(NOUN)}`
                : rng.chance(0.5)
                  ? `${rng.pick(ADJ)} ${rng.pick(NOUN)}`
                  : `${rng.pick(LAST)} ${rng.pick(NOUN)}`
              : type === 'team'
                ? `${rng.pick(CITIES)[0]} ${rng.pick(MASCOTS)}`
                : `${rng.pick(CITIES)[0]} ${rng.pick(['Ballet', 'Opera', 'Theatre Company', 'Circus', 'Players'])}`;
    }
    // Still taken after five draws (a big catalog): a second act of the same name, as happens.
    if (usedNames.has(name)) name = `${name} ${['II', 'III', 'IV', 'V', 'VI'][i % 5]}`;
    usedNames.add(name);
    performers.push({ id: randomUUID(), name, type, genre: rng.pick(GENRES[type]!) });
  }
  return performers;
}

/** Events at the given venues with the given performers, dated from `now` over `days` days. */
export function generateEvents(
  rng: Rng,
  opts: {
    count: number;
    venues: readonly GenVenue[];
    performers: readonly GenPerformer[];
    partitions: number;
    days: number;
    now: number;
  },
): GenEvent[] {
  const byType = new Map<string, GenPerformer[]>();
  for (const p of opts.performers) {
    const list = byType.get(p.type);
    if (list) list.push(p);
    else byType.set(p.type, [p]);
  }
  const ofType = (t: GenPerformer['type']) => byType.get(t) ?? opts.performers;
  const events: GenEvent[] = [];
  for (let i = 0; i < opts.count; i++) {
    const venue = rng.pick(opts.venues);
    const roll = rng.next();
    const category: EventCategory =
      roll < 0.5
        ? 'concert'
        : roll < 0.65
          ? 'sports'
          : roll < 0.75
            ? 'theatre'
            : roll < 0.85
              ? 'comedy'
              : roll < 0.9
                ? 'family'
                : roll < 0.95
                  ? 'festival'
                  : 'conference';
    let names: GenPerformer[];
    let name: string;
    if (category === 'sports') {
      const teams = ofType('team');
      const a = rng.pick(teams);
      let b = rng.pick(teams);
      if (b === a) b = teams[(teams.indexOf(a) + 1) % teams.length]!;
      names = a === b ? [a] : [a, b];
      name = `${a.name} vs ${b.name}`;
    } else if (category === 'theatre' || category === 'family') {
      names = [rng.pick(ofType('company'))];
      name = `${rng.pick(SHOWS)}${category === 'family' ? ' for Kids' : ''} — ${names[0]!.name}`;
    } else if (category === 'comedy') {
      names = [rng.pick(ofType('comedian'))];
      name = `${names[0]!.name}: ${rng.pick(ADJ)} ${rng.pick(['Hour', 'Special', 'Tour', 'Night'])}`;
    } else if (category === 'conference') {
      names = [rng.pick(ofType('speaker'))];
      name = `${venue.city[0]} ${rng.pick(TOPICS)} ${rng.pick(CONF)} ${2026 + rng.int(0, 1)}`;
    } else if (category === 'festival') {
      const acts = [...ofType('band'), ...ofType('artist')];
      names = [rng.pick(acts), rng.pick(acts), rng.pick(acts)].filter((p, k, all) => all.indexOf(p) === k);
      name = `${rng.pick(ADJ)} ${rng.pick(NOUN)} Festival`;
    } else {
      const acts = rng.chance(0.55) ? ofType('artist') : ofType('band');
      names = [rng.pick(acts)];
      if (rng.chance(0.3)) names.push(rng.pick(acts));
      names = names.filter((p, k, all) => all.indexOf(p) === k);
      name = `${names[0]!.name} — ${rng.pick(TOUR)}${rng.chance(0.3) ? ` ${2026 + rng.int(0, 1)}` : ''}`;
    }
    const starts = Math.floor((opts.now + rng.int(1, opts.days * 24) * 3_600_000) / 900_000) * 900_000;
    const ends = starts + rng.int(2, 4) * 3_600_000;
    const onSale = starts - rng.int(7, 90) * 86_400_000;
    const base = rng.int(2, 12) * 10;
    let body: CreateEventBody;
    if (!venue.sections.length) {
      body = {
        name,
        starts_at: new Date(starts).toISOString(),
        hold_seconds: 600,
        max_per_user: 8,
        general_admission: { capacity: venue.standing, price: base - 0.01 },
      };
    } else {
      // Best sections dearest: three to four tiers over the venue's sections, in rank order.
      const tierNames = ['platinum', 'gold', 'silver', 'bronze'];
      const perTier = Math.ceil(venue.sections.length / Math.min(4, venue.sections.length));
      const tiers = tierNames
        .map((t, k) => ({
          name: t,
          price: Math.max(10, base * (4 - k)) - 0.01,
          sections: venue.sections.slice(k * perTier, (k + 1) * perTier).map((s) => s.name),
        }))
        .filter((t) => t.sections.length);
      body = {
        name,
        starts_at: new Date(starts).toISOString(),
        hold_seconds: 600,
        max_per_user: 8,
        venue_id: venue.id,
        price_tiers: tiers,
      };
    }
    const layout: EventLayout = resolveLayout(body, venue.sections);
    const id = randomUUID();
    events.push({
      id,
      starts,
      performers: names,
      row: [
        id,
        name,
        `${category[0]!.toUpperCase()}${category.slice(1)} at ${venue.name}, ${venue.city[0]}.`,
        category,
        venue.id,
        new Date(starts).toISOString(),
        new Date(ends).toISOString(),
        new Date(onSale).toISOString(),
        partitionFor(id, opts.partitions),
        layout.kind,
        JSON.stringify(layout),
        layoutCapacity(layout),
        ...priceRange(layout),
      ],
    });
  }
  return events;
}
