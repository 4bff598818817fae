import { z } from 'zod';
import { uuidSchema } from './http';
import { MAX_POW_BITS, QUEUE_MODES } from './fair-onsale';

/**
 * Body of `POST /v1/events`: a compact event description the single writer expands into inventory.
 * Three shapes: general admission, compact `sections` (rows × seats per row), or a venue's seat layout
 * with `price_tiers` mapping the venue's sections to prices. Every shape takes the same optional
 * catalog fields (description, category, venue, performers, end, partition pin).
 */
const money = z.number().nonnegative().max(1_000_000).multipleOf(0.01);

export const sectionSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[^:/\\]+$/, 'must not contain : / or \\'),
  rows: z.number().int().min(1).max(500),
  seats_per_row: z.number().int().min(1).max(500),
  price: money,
  /** Defaults to the section name. */
  price_tier: z.string().trim().min(1).max(40).optional(),
});

/** What an event is, for browsing and the `category` filter. */
export const EVENT_CATEGORIES = [
  'concert',
  'sports',
  'theatre',
  'comedy',
  'family',
  'festival',
  'conference',
  'other',
] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export const priceTierSchema = z
  .object({
    name: z.string().trim().min(1).max(40),
    price: money,
    /** Venue sections sold at this price; a venue section in no tier is not sold for this event. */
    sections: z.array(z.string().trim().min(1).max(40)).min(1).max(200),
  })
  .strict();

const common = {
  name: z.string().trim().min(1).max(200),
  starts_at: z.iso.datetime({ offset: true }),
  on_sale_at: z.iso.datetime({ offset: true }).optional(),
  hold_seconds: z.number().int().min(1).max(86_400).default(600),
  max_per_user: z.number().int().min(1).max(1000).default(8),
  description: z.string().trim().max(5000).optional(),
  category: z.enum(EVENT_CATEGORIES).optional(),
  venue_id: uuidSchema.optional(),
  performer_ids: z.array(uuidSchema).max(20).optional(),
  ends_at: z.iso.datetime({ offset: true }).optional(),
  /** How the waiting room is ordered at the on-sale time: a random draw (the default) or arrival order. */
  queue_mode: z.enum(QUEUE_MODES).optional(),
  /** Leading zero bits of the proof of work a booking must carry (0, the default: none). */
  pow_bits: z.number().int().min(0).max(MAX_POW_BITS).optional(),
  /** Pins the event to this partition (0 … PARTITIONS-1) instead of the hash of its id. */
  partition: z.number().int().min(0).max(1023).optional(),
};

export const MAX_SEATS_PER_EVENT = 200_000;

/**
 * Whether an event ends after it starts. Checked by the route (400 `invalid_range`, as for every
 * inverted range), not by the schema (which would answer `validation_failed`).
 */
export const endsAfterStart = (e: { starts_at: string; ends_at?: string | null | undefined }) =>
  e.ends_at === undefined || e.ends_at === null || Date.parse(e.ends_at) > Date.parse(e.starts_at);

export const createEventSchema = z.union([
  z
    .object({
      ...common,
      general_admission: z.object({ capacity: z.number().int().min(1).max(10_000_000), price: money }),
    })
    .strict(),
  z
    .object({ ...common, sections: z.array(sectionSchema).min(1).max(200) })
    .strict()
    .refine((e) => new Set(e.sections.map((s) => s.name)).size === e.sections.length, {
      error: 'section names must be unique',
      path: ['sections'],
    })
    .refine((e) => e.sections.reduce((n, s) => n + s.rows * s.seats_per_row, 0) <= MAX_SEATS_PER_EVENT, {
      error: `at most ${MAX_SEATS_PER_EVENT} seats per event`,
      path: ['sections'],
    }),
  z
    .object({ ...common, venue_id: uuidSchema, price_tiers: z.array(priceTierSchema).min(1).max(50) })
    .strict()
    .refine((e) => new Set(e.price_tiers.map((t) => t.name)).size === e.price_tiers.length, {
      error: 'price tier names must be unique',
      path: ['price_tiers'],
    })
    .refine(
      (e) => {
        const all = e.price_tiers.flatMap((t) => t.sections);
        return new Set(all).size === all.length;
      },
      { error: 'a section may be in one price tier only', path: ['price_tiers'] },
    ),
]);
export type CreateEventBody = z.infer<typeof createEventSchema>;
export type SectionLayout = z.infer<typeof sectionSchema>;

/** Body of `PATCH /v1/events/{id}`: catalog fields only; inventory changes go through the partition queue. */
export const updateEventSchema = z
  .object({
    name: common.name,
    description: z.string().trim().max(5000),
    category: z.enum(EVENT_CATEGORIES),
    starts_at: common.starts_at,
    ends_at: common.ends_at.unwrap().nullable(),
    performer_ids: z.array(uuidSchema).max(20),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });
export type UpdateEventBody = z.infer<typeof updateEventSchema>;

/** One reserved section as stored in events.layout. Prices in cents. */
export interface ReservedSectionLayout {
  name: string;
  rows: number;
  /** The longest row; every row when `row_lengths` is absent. */
  seats_per_row: number;
  /** Seats in row 1, 2, … when rows differ in length (a venue's real layout). */
  row_lengths?: number[];
  price_cents: number;
  price_tier: string;
}

/** What is stored in events.layout. Prices in cents. */
export type EventLayout =
  | { kind: 'general_admission'; capacity: number; price_cents: number }
  | { kind: 'reserved'; sections: ReservedSectionLayout[] };

/** Seats in a reserved section. */
export function sectionSeatCount(s: Pick<ReservedSectionLayout, 'rows' | 'seats_per_row' | 'row_lengths'>): number {
  return s.row_lengths ? s.row_lengths.reduce((n, l) => n + l, 0) : s.rows * s.seats_per_row;
}

/** Body of `PUT /v1/events/{id}/prices`: new prices for what is still unsold (currency units). */
export const repriceEventSchema = z
  .object({
    sections: z
      .array(z.object({ name: z.string().trim().min(1).max(40), price: money }).strict())
      .min(1)
      .max(200)
      .optional(),
    general_admission: z.object({ price: money }).strict().optional(),
  })
  .strict()
  .refine((b) => (b.sections === undefined) !== (b.general_admission === undefined), {
    error: 'give either sections or general_admission',
  });

/**
 * Body of `POST /v1/events/{id}/inventory`: inventory added to an existing event, through its
 * partition. Reserved: new sections (sold after the existing ones in best-available order); general
 * admission: the new, higher capacity.
 */
export const addInventorySchema = z
  .object({
    sections: z.array(sectionSchema).min(1).max(200).optional(),
    general_admission: z
      .object({ capacity: z.number().int().min(1).max(10_000_000) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => (b.sections === undefined) !== (b.general_admission === undefined), {
    error: 'give either sections or general_admission',
  })
  .refine((b) => !b.sections || new Set(b.sections.map((s) => s.name)).size === b.sections.length, {
    error: 'section names must be unique',
    path: ['sections'],
  });
export type AddInventoryBody = z.infer<typeof addInventorySchema>;
