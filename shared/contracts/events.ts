import { z } from 'zod';

/** Body of `POST /v1/events`: a compact event description the single writer expands into inventory. */
const money = z.number().nonnegative().max(1_000_000).multipleOf(0.01);

export const sectionSchema = z.object({
  name: z.string().trim().min(1).max(40).regex(/^[^:/\\]+$/, 'must not contain : / or \\'),
  rows: z.number().int().min(1).max(500),
  seats_per_row: z.number().int().min(1).max(500),
  price: money,
  /** Defaults to the section name. */
  price_tier: z.string().trim().min(1).max(40).optional(),
});

const common = {
  name: z.string().trim().min(1).max(200),
  starts_at: z.iso.datetime({ offset: true }),
  on_sale_at: z.iso.datetime({ offset: true }).optional(),
  hold_seconds: z.number().int().min(1).max(86_400).default(600),
  max_per_user: z.number().int().min(1).max(1000).default(8),
};

export const MAX_SEATS_PER_EVENT = 200_000;

export const createEventSchema = z.union([
  z.object({ ...common, general_admission: z.object({ capacity: z.number().int().min(1).max(10_000_000), price: money }) }).strict(),
  z
    .object({ ...common, sections: z.array(sectionSchema).min(1).max(200) })
    .strict()
    .refine((e) => new Set(e.sections.map((s) => s.name)).size === e.sections.length, { message: 'section names must be unique', path: ['sections'] })
    .refine((e) => e.sections.reduce((n, s) => n + s.rows * s.seats_per_row, 0) <= MAX_SEATS_PER_EVENT, {
      message: `at most ${MAX_SEATS_PER_EVENT} seats per event`,
      path: ['sections'],
    }),
]);
export type CreateEventBody = z.infer<typeof createEventSchema>;
export type SectionLayout = z.infer<typeof sectionSchema>;

/** What is stored in events.layout. Prices in cents. */
export type EventLayout =
  | { kind: 'general_admission'; capacity: number; price_cents: number }
  | { kind: 'reserved'; sections: Array<{ name: string; rows: number; seats_per_row: number; price_cents: number; price_tier: string }> };
