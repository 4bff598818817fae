import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Config } from '../shared/config';
import { loadConfigOrExit } from '../shared/config';
import { createLogger, type Logger } from '../shared/logger';
import { createPool, type Pool } from '../shared/db/pool';
import { connectAmqp } from '../shared/amqp/connect';
import { ConfirmPublisher } from '../shared/amqp/publisher';
import { assertTopology, buildTopology } from '../shared/amqp/topology';
import { partitionFor } from '../shared/partition';
import type { CreateEventBody, EventCategory, EventLayout } from '../shared/contracts/events';
import { insertVenueSeats, venueSeats, type VenueSeat, type VenueSection } from '../ingress/services/create-venue';
import { layoutCapacity, resolveLayout } from '../ingress/services/create-event';
import type { VenueSectionBody } from '../shared/contracts/catalog';
import { mulberry32 } from '../shared/random';

/**
 * A realistic synthetic catalog for demos, tests and benchmarks: cities, venues with seat layouts
 * (clubs with standing room, theatres, arenas, stadiums), performers with types and genres, and events
 * with categories, dates, on-sale times and price tiers mapped to the venues' sections. Written in
 * bulk (unnest), 100,000 events in seconds.
 *
 * Catalog events get no seat inventory: `inventory_ready` stays false and they show their full
 * capacity as available (source `layout`) until something sends their `inventory.init` into their
 * partition (`--init N` does it for the N soonest), after which the single writer creates the seats
 * like for any event. A catalog of 100,000 events × thousands of seats would be hundreds of millions
 * of seat rows nobody books.
 *
 * @example npm run seed:catalog -- --events 100000 --seed 7
 */

export interface SeedCatalogOptions {
  events: number;
  /** @defaultValue events / 250, at least 10 */
  venues?: number;
  /** @defaultValue events / 20, at least 20 */
  performers?: number;
  /** PRNG seed: the same seed gives the same names, places, dates and prices. @defaultValue 1 */
  seed?: number;
  /** organizer_id of everything created. @defaultValue `catalog-seed` */
  organizer?: string;
  /** Partition count used to place events. */
  partitions: number;
  /** Event dates spread from now over this many days. @defaultValue 365 */
  days?: number;
}

export interface SeedCatalogResult {
  events: number;
  venues: number;
  performers: number;
  venueSeats: number;
  ms: number;
  /** Ids of the created events, soonest first. */
  eventIds: string[];
}

/** A seeded generator with the helpers the catalog needs. */
function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

const CITIES: ReadonlyArray<[string, string, number, number]> = [
  ['New York', 'US', 40.7128, -74.006],
  ['Los Angeles', 'US', 34.0522, -118.2437],
  ['Chicago', 'US', 41.8781, -87.6298],
  ['Houston', 'US', 29.7604, -95.3698],
  ['Nashville', 'US', 36.1627, -86.7816],
  ['Austin', 'US', 30.2672, -97.7431],
  ['Seattle', 'US', 47.6062, -122.3321],
  ['Miami', 'US', 25.7617, -80.1918],
  ['Toronto', 'CA', 43.6532, -79.3832],
  ['Montréal', 'CA', 45.5017, -73.5673],
  ['Vancouver', 'CA', 49.2827, -123.1207],
  ['México City', 'MX', 19.4326, -99.1332],
  ['São Paulo', 'BR', -23.5505, -46.6333],
  ['Buenos Aires', 'AR', -34.6037, -58.3816],
  ['London', 'GB', 51.5074, -0.1278],
  ['Manchester', 'GB', 53.4808, -2.2426],
  ['Dublin', 'IE', 53.3498, -6.2603],
  ['Paris', 'FR', 48.8566, 2.3522],
  ['Lyon', 'FR', 45.764, 4.8357],
  ['Berlin', 'DE', 52.52, 13.405],
  ['Köln', 'DE', 50.9375, 6.9603],
  ['München', 'DE', 48.1351, 11.582],
  ['Zürich', 'CH', 47.3769, 8.5417],
  ['Wien', 'AT', 48.2082, 16.3738],
  ['Amsterdam', 'NL', 52.3676, 4.9041],
  ['Madrid', 'ES', 40.4168, -3.7038],
  ['Barcelona', 'ES', 41.3874, 2.1686],
  ['Lisboa', 'PT', 38.7223, -9.1393],
  ['Milano', 'IT', 45.4642, 9.19],
  ['Roma', 'IT', 41.9028, 12.4964],
  ['Stockholm', 'SE', 59.3293, 18.0686],
  ['København', 'DK', 55.6761, 12.5683],
  ['Oslo', 'NO', 59.9139, 10.7522],
  ['Kraków', 'PL', 50.0647, 19.945],
  ['Praha', 'CZ', 50.0755, 14.4378],
  ['İstanbul', 'TR', 41.0082, 28.9784],
  ['Tokyo', 'JP', 35.6762, 139.6503],
  ['Seoul', 'KR', 37.5665, 126.978],
  ['Sydney', 'AU', -33.8688, 151.2093],
  ['Melbourne', 'AU', -37.8136, 144.9631],
  ['Auckland', 'NZ', -36.8485, 174.7633],
  ['Cape Town', 'ZA', -33.9249, 18.4241],
];

const FIRST = [
  'Adele',
  'Bruno',
  'Celine',
  'Dmitri',
  'Esme',
  'Fabio',
  'Gwen',
  'Hector',
  'Imani',
  'Jasper',
  'Kiara',
  'Lorenzo',
  'Margot',
  'Nikolai',
  'Odette',
  'Pablo',
  'Quentin',
  'Renata',
  'Silas',
  'Tamsin',
  'Ava',
  'Liam',
  'Mia',
  'Noah',
  'Zoe',
  'Ezra',
  'Luna',
  'Milo',
  'Nina',
  'Omar',
  'Iris',
  'Jude',
  'Lena',
  'Theo',
  'Rosa',
  'Kai',
  'Maya',
  'Leo',
  'Ines',
  'Hugo',
  'Sofia',
  'Mateo',
  'Chloé',
  'Björn',
  'Aurora',
  'Felix',
  'Naomi',
  'Elias',
  'Clara',
  'Dario',
  'Yuki',
  'Amara',
  'Rafael',
  'Selma',
  'Tobias',
  'Greta',
  'Jonas',
  'Lucía',
  'Marcus',
  'Priya',
];
const LAST = [
  'Ashford',
  'Bellamy',
  'Cortez',
  'Devereux',
  'Ellison',
  'Fairbanks',
  'Grimaldi',
  'Hawthorne',
  'Iversen',
  'Jovanović',
  'Kincaid',
  'Lacroix',
  'Montague',
  'Nørgaard',
  'Oyelaran',
  'Petrov',
  'Rivers',
  'Stone',
  'Vance',
  'Moreau',
  'Okafor',
  'Lindqvist',
  'Castillo',
  'Novak',
  'Hartley',
  'Sato',
  'Bianchi',
  'Delacroix',
  'Kowalski',
  'Nakamura',
  'Ferreira',
  'Mbeki',
  'Holloway',
  'Quinn',
  'Adeyemi',
  'Fontaine',
  'Brandt',
  'Ortega',
  'Whitlock',
  'Sørensen',
  'Marlowe',
  'Abernathy',
  'Calloway',
  'Dumont',
  'Eriksen',
  'Galloway',
];
const ADJ = [
  'Electric',
  'Velvet',
  'Midnight',
  'Golden',
  'Crimson',
  'Silver',
  'Neon',
  'Wild',
  'Hollow',
  'Lunar',
  'Broken',
  'Northern',
  'Paper',
  'Glass',
  'Iron',
  'Secret',
  'Falling',
  'Burning',
  'Quiet',
  'Cosmic',
  'Blue',
  'Savage',
  'Gentle',
  'Distant',
];
const NOUN = [
  'Wolves',
  'Harbors',
  'Echoes',
  'Lanterns',
  'Satellites',
  'Tigers',
  'Ravens',
  'Arrows',
  'Oceans',
  'Machines',
  'Saints',
  'Kites',
  'Comets',
  'Foxes',
  'Giants',
  'Mirrors',
  'Rebels',
  'Dreamers',
  'Pilots',
  'Strangers',
];
const MASCOTS = [
  'United',
  'FC',
  'Rovers',
  'Lions',
  'Hawks',
  'Sharks',
  'Bears',
  'Titans',
  'Royals',
  'Comets',
  'Wanderers',
  'Athletic',
  'City',
  'Rangers',
  'Falcons',
  'Wolves',
  'Storm',
  'Thunder',
  'Pirates',
  'Knights',
];
const SHOWS = [
  'Hamlet',
  'The Nutcracker',
  'Swan Lake',
  'Les Misérables',
  'Carmen',
  'La Traviata',
  'The Tempest',
  'Cabaret',
  'Chicago',
  'Romeo and Juliet',
  'The Magic Flute',
  'Don Giovanni',
  'Peter Pan',
  'Cinderella',
  'The Lion Dance',
  'Macbeth',
];
const TOUR = [
  'World Tour',
  'Live',
  'Farewell Tour',
  'Reunion Tour',
  'Unplugged',
  'In Concert',
  'Anniversary Tour',
  'Summer Tour',
  'Arena Tour',
  'Acoustic Nights',
];
const CONF = ['Summit', 'Forum', 'Conference', 'Expo', 'Masterclass', 'Keynote'];
const TOPICS = ['AI', 'Cloud', 'Design', 'Climate', 'Startup', 'Data', 'Security', 'Fintech', 'Health', 'Robotics'];
const GENRES: Record<string, readonly string[]> = {
  artist: [
    'pop',
    'rock',
    'jazz',
    'hip hop',
    'country',
    'r&b',
    'electronic',
    'folk',
    'soul',
    'latin',
    'indie',
    'classical',
  ],
  band: ['rock', 'indie', 'metal', 'punk', 'alternative', 'folk', 'jazz', 'electronic'],
  team: ['football', 'basketball', 'hockey', 'baseball', 'rugby'],
  comedian: ['stand-up', 'improv', 'sketch'],
  speaker: ['technology', 'business', 'science'],
  company: ['ballet', 'opera', 'drama', 'musical', 'circus'],
};
const VENUE_WORDS = {
  club: ['Room', 'Club', 'Lounge', 'Basement', 'Warehouse', 'Social'],
  theatre: ['Theatre', 'Opera House', 'Playhouse', 'Concert Hall', 'Auditorium'],
  arena: ['Arena', 'Dome', 'Coliseum', 'Pavilion'],
  stadium: ['Stadium', 'Park', 'Field'],
};
const STREETS = [
  'Main St',
  'Harbor Rd',
  'King St',
  'Park Ave',
  'Market St',
  'River Rd',
  'Station Sq',
  'Mill Ln',
  'Broadway',
  'Elm St',
];

type VenueKind = keyof typeof VENUE_WORDS;
interface GenVenue {
  id: string;
  kind: VenueKind;
  name: string;
  city: (typeof CITIES)[number];
  sections: VenueSection[];
  standing: number;
}
interface GenPerformer {
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
function priceRange(layout: EventLayout): [number, number] {
  if (layout.kind === 'general_admission') return [layout.price_cents, layout.price_cents];
  const prices = layout.sections.map((s) => s.price_cents);
  return [Math.min(...prices), Math.max(...prices)];
}

/** Generates the catalog in memory and writes it in bulk. Safe to run again (adds another catalog). */
export async function seedCatalog(pool: Pool, opts: SeedCatalogOptions, logger?: Logger): Promise<SeedCatalogResult> {
  const started = performance.now();
  const rng = prng(opts.seed ?? 1);
  const organizer = opts.organizer ?? 'catalog-seed';
  const nVenues = opts.venues ?? Math.max(10, Math.round(opts.events / 250));
  const nPerformers = opts.performers ?? Math.max(20, Math.round(opts.events / 20));
  const days = opts.days ?? 365;

  // Venues and their seats (generated now, seats written later alongside the events).
  const venues: GenVenue[] = [];
  const seatsByVenue: Array<[string, VenueSeat[]]> = [];
  let seatCount = 0;
  const venueRows: unknown[][] = [];
  for (let i = 0; i < nVenues; i++) {
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
  const vcol = (k: number) => venueRows.map((r) => r[k]);
  await pool.query({
    name: 'seed-venues',
    text: `INSERT INTO venues (id, organizer_id, name, address, city, country, lat, lon, layout, seated_capacity, standing_capacity)
           SELECT v.id, $1, v.name, v.address, v.city, v.country, v.lat, v.lon, v.layout, v.seated, v.standing
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::jsonb[], $10::int[], $11::int[])
                AS v(id, name, address, city, country, lat, lon, layout, seated, standing)`,
    values: [organizer, ...Array.from({ length: 10 }, (_, k) => vcol(k))],
  });
  logger?.debug('catalog venues written', {
    venues: venues.length,
    seats: seatCount,
    ms: Math.round(performance.now() - started),
  });

  // Performers.
  const performers: GenPerformer[] = [];
  const usedNames = new Set<string>();
  for (let i = 0; i < nPerformers; i++) {
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
  for (let i = 0; i < performers.length; i += 5000) {
    const chunk = performers.slice(i, i + 5000);
    await pool.query({
      name: 'seed-performers',
      text: `INSERT INTO performers (id, organizer_id, name, type, genre) SELECT p.id, $1, p.name, p.type, p.genre
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS p(id, name, type, genre)`,
      values: [
        organizer,
        chunk.map((p) => p.id),
        chunk.map((p) => p.name),
        chunk.map((p) => p.type),
        chunk.map((p) => p.genre),
      ],
    });
  }
  const byType = new Map<string, GenPerformer[]>();
  for (const p of performers) {
    const list = byType.get(p.type);
    if (list) list.push(p);
    else byType.set(p.type, [p]);
  }
  const ofType = (t: GenPerformer['type']) => byType.get(t) ?? performers;

  // Events.
  const now = Date.now();
  const events: Array<{ id: string; starts: number; row: unknown[]; performers: GenPerformer[] }> = [];
  for (let i = 0; i < opts.events; i++) {
    const venue = rng.pick(venues);
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
    const starts = Math.floor((now + rng.int(1, days * 24) * 3_600_000) / 900_000) * 900_000;
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
  logger?.debug('catalog events generated', { events: events.length, ms: Math.round(performance.now() - started) });
  const col = (chunk: typeof events, k: number) => chunk.map((e) => e.row[k]);
  let written = 0;
  const writeEvents = async (chunk: typeof events) => {
    // The search document is computed in the same statement (onsale_search_document, as ingress
    // does), and its words go to the spelling lexicon: one write per event.
    await pool.query({
      name: 'seed-events',
      text: `WITH inserted AS (
               INSERT INTO events (id, organizer_id, name, description, category, venue_id, starts_at, ends_at, on_sale_at, partition, kind, layout, capacity,
                                   min_price_cents, max_price_cents, search_document)
               SELECT e.id, $1, e.name, e.description, e.category, e.venue_id, e.starts_at, e.ends_at, e.on_sale_at, e.partition, e.kind, e.layout, e.capacity,
                      e.min_price_cents, e.max_price_cents, onsale_search_document(e.name, e.performers, v.name, v.city, e.category, e.genres)
               FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::int[], $11::text[], $12::jsonb[], $13::int[],
                           $14::int[], $15::int[], $16::text[], $17::text[])
                    AS e(id, name, description, category, venue_id, starts_at, ends_at, on_sale_at, partition, kind, layout, capacity, min_price_cents, max_price_cents, performers, genres)
               JOIN venues v ON v.id = e.venue_id
               RETURNING search_document
             )
             INSERT INTO search_lexicon (word)
             SELECT DISTINCT lexeme FROM inserted, unnest(inserted.search_document) WHERE lexeme ~ '^[[:alnum:]]+$'
             ORDER BY 1 -- one lock order: concurrent writers never deadlock on the lexicon
             ON CONFLICT DO NOTHING`,
      values: [
        organizer,
        ...Array.from({ length: 14 }, (_, k) => col(chunk, k)),
        chunk.map((e) => e.performers.map((p) => p.name).join(' ')),
        chunk.map((e) => e.performers.map((p) => p.genre).join(' ')),
      ],
    });
    const links = chunk.flatMap((e) => e.performers.map((p, pos) => [e.id, p.id, pos] as const));
    await pool.query({
      name: 'seed-event-performers',
      text: `INSERT INTO event_performers (event_id, performer_id, position) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[])`,
      values: [links.map((l) => l[0]), links.map((l) => l[1]), links.map((l) => l[2])],
    });
    written += chunk.length;
    logger?.debug('catalog events written', {
      done: written,
      of: events.length,
      ms: Math.round(performance.now() - started),
    });
  };

  // Two writers share the event chunks while a third writes the venues' seats: PostgreSQL works on
  // both cores while this process prepares the next chunk. Not one transaction: a failed run leaves
  // a partial catalog, which `--reset` removes.
  const chunks: Array<typeof events> = [];
  for (let i = 0; i < events.length; i += 5000) chunks.push(events.slice(i, i + 5000));
  const eventWriter = async () => {
    for (let c = chunks.shift(); c; c = chunks.shift()) await writeEvents(c);
  };
  const seatWriter = async () => {
    for (const [venueId, seats] of seatsByVenue) await insertVenueSeats(pool, venueId, seats);
  };
  // The search index has no pending list for the read side's sake; a bulk load is faster with one,
  // merged once at the end.
  await pool.query('ALTER INDEX events_search_idx SET (fastupdate = on)');
  try {
    await Promise.all([eventWriter(), eventWriter(), seatWriter()]);
  } finally {
    await pool.query(
      `SELECT gin_clean_pending_list('events_search_idx'); ALTER INDEX events_search_idx SET (fastupdate = off)`,
    );
  }
  logger?.debug('catalog search index merged', { ms: Math.round(performance.now() - started) });
  await pool.query(
    'ANALYZE events; ANALYZE venues; ANALYZE venue_seats; ANALYZE event_performers; ANALYZE search_lexicon',
  );
  const eventIds = events.sort((a, b) => a.starts - b.starts).map((e) => e.id);
  return {
    events: events.length,
    venues: venues.length,
    performers: performers.length,
    venueSeats: seatCount,
    ms: Math.round(performance.now() - started),
    eventIds,
  };
}

/** Sends `inventory.init` for some events, so the single writer creates their seats. */
export async function initInventory(config: Config, pool: Pool, eventIds: readonly string[]): Promise<void> {
  if (!eventIds.length) return;
  const conn = await connectAmqp(config.AMQP_URL, 'seed-catalog');
  try {
    const ch = await conn.createChannel();
    await assertTopology(ch, buildTopology(config));
    await ch.close();
    const publisher = await ConfirmPublisher.open(conn, config.AMQP_PREFIX);
    const { rows } = await pool.query<{ id: string; partition: number }>(
      'SELECT id, partition FROM events WHERE id = ANY($1::uuid[])',
      [eventIds],
    );
    for (const r of rows) await publisher.publishCommand(r.partition, { type: 'inventory.init', event_id: r.id });
    await publisher.close();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Removes a catalog made by this generator (everything whose organizer is `organizer`). */
export async function resetCatalog(pool: Pool, organizer: string): Promise<void> {
  await pool.query('DELETE FROM events WHERE organizer_id = $1', [organizer]);
  await pool.query(
    'DELETE FROM performers WHERE organizer_id = $1 AND NOT EXISTS (SELECT 1 FROM event_performers ep WHERE ep.performer_id = performers.id)',
    [organizer],
  );
  await pool.query(
    'DELETE FROM venues WHERE organizer_id = $1 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.venue_id = venues.id)',
    [organizer],
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000' },
      venues: { type: 'string' },
      performers: { type: 'string' },
      seed: { type: 'string', default: '1' },
      organizer: { type: 'string', default: 'catalog-seed' },
      days: { type: 'string', default: '365' },
      init: { type: 'string', default: '0' },
      reset: { type: 'boolean', default: false },
    },
  });
  const num = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      process.stderr.write(`--${name} must be a whole number from ${min} to ${max} (got ${v})\n`);
      process.exit(2);
    }
    return n;
  };
  const config = loadConfigOrExit();
  const logger = createLogger('seed-catalog', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, 3, 'seed-catalog');
  try {
    if (values.reset) await resetCatalog(pool, values.organizer);
    const result = await seedCatalog(
      pool,
      {
        events: num('events', values.events, 1, 5_000_000)!,
        venues: num('venues', values.venues, 1, 100_000),
        performers: num('performers', values.performers, 1, 1_000_000),
        seed: num('seed', values.seed, 0, 2 ** 31),
        organizer: values.organizer,
        partitions: config.PARTITIONS,
        days: num('days', values.days, 1, 3650),
      },
      logger,
    );
    const init = num('init', values.init, 0, result.events)!;
    if (init) await initInventory(config, pool, result.eventIds.slice(0, init));
    const { eventIds, ...summary } = result;
    logger.info('catalog created', { ...summary, inventory_init_sent: init, first_event: eventIds[0] });
  } catch (err) {
    logger.error((err as Error).message);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
