import { z } from 'zod';
import { uuidSchema } from './http';
import { ROLES } from '../auth';
import { EVENT_CATEGORIES } from './events';

/**
 * Bodies and queries of the catalog side of the HTTP API: accounts, venues, performers, search.
 * Prices travel as currency units (79.5); limits here are the edge's, the database checks again.
 */

// ---------- accounts ----------

const email = z.string().trim().max(254).pipe(z.email());
/** bcrypt reads at most 72 bytes of a password: refuse longer ones rather than silently ignore the rest. */
const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= 72, 'must be at most 72 bytes');

export const registerBodySchema = z.object({ email, password, name: z.string().trim().min(1).max(200) }).strict();
export const loginBodySchema = z.object({ email, password: z.string().min(1).max(200) }).strict();
/** An account as the API shows it (never the hash). */
export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  created_at: z.iso.datetime(),
});
/** `201`/`200` of register, login and password change. */
export const tokenResponseSchema = z.object({
  token: z.string().describe('HS256 JWT: `sub` = account id, `role`, `tv` = token version, `exp`.'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  user: userSchema,
});
export const passwordChangeBodySchema = z
  .object({ current_password: z.string().min(1).max(200), new_password: password })
  .strict();
export const roleBodySchema = z.object({ role: z.enum(ROLES) }).strict();
export const usersQuerySchema = z.object({ email }).strict();

// ---------- venues ----------

const sectionName = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[^:/\\]+$/, 'must not contain : / or \\');
const seatsInRow = z.number().int().min(1).max(500);
const coordinate = z.number().min(-1e6).max(1e6);

/**
 * One seated section, best sections first. Rows either all the same length (`rows` + `seats_per_row`)
 * or each its own (`rows: [{ seats, accessible? }]`). Seats get coordinates for drawing: row 1 nearest
 * the stage at `y`, each row `seat_spacing` further, seats centred on `x`. Sections without `x`/`y`
 * are stacked below one another.
 */
export const venueSectionSchema = z
  .object({
    name: sectionName,
    rows: z.union([
      z.number().int().min(1).max(500),
      z
        .array(z.object({ seats: seatsInRow, accessible: z.array(seatsInRow).max(500).optional() }).strict())
        .min(1)
        .max(500),
    ]),
    seats_per_row: seatsInRow.optional(),
    /** Wheelchair-accessible seats by row and seat number (also settable per row). */
    accessible: z
      .array(z.object({ row: z.number().int().min(1).max(500), seat: seatsInRow }).strict())
      .max(10_000)
      .optional(),
    x: coordinate.optional(),
    y: coordinate.optional(),
    seat_spacing: z.number().positive().max(1000).optional(),
  })
  .strict()
  .refine((s) => (typeof s.rows === 'number') === (s.seats_per_row !== undefined), {
    error: 'give rows as a number with seats_per_row, or rows as a list of { seats } without it',
    path: ['seats_per_row'],
  });
export type VenueSectionBody = z.infer<typeof venueSectionSchema>;

const venueFields = {
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().max(500),
  city: z.string().trim().min(1).max(100),
  country: z.string().trim().max(100),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
};

export const createVenueSchema = z
  .object({
    ...venueFields,
    address: venueFields.address.default(''),
    country: venueFields.country.default(''),
    sections: z.array(venueSectionSchema).max(200).default([]),
    /** Standing room (general admission), besides the seats. */
    standing_capacity: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict()
  .refine((v) => new Set(v.sections.map((s) => s.name)).size === v.sections.length, {
    error: 'section names must be unique',
    path: ['sections'],
  })
  .refine((v) => v.sections.length > 0 || v.standing_capacity > 0, {
    error: 'a venue needs seated sections or standing capacity',
    path: ['sections'],
  });
export type CreateVenueBody = z.infer<typeof createVenueSchema>;

/** Location and name only: a venue's seat layout is fixed once created (events were generated from it). */
export const updateVenueSchema = z
  .object(venueFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });

export const venueSeatsQuerySchema = z.object({ section: z.string().min(1).max(40).optional() }).strict();

// ---------- performers ----------

export const PERFORMER_TYPES = ['artist', 'band', 'team', 'comedian', 'speaker', 'company', 'other'] as const;

export const createPerformerSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(PERFORMER_TYPES),
    genre: z.string().trim().min(1).max(60).optional(),
  })
  .strict();
export const updatePerformerSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(PERFORMER_TYPES),
    genre: z.string().trim().min(1).max(60).nullable(),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });

// ---------- search ----------

/** Control characters (NUL above all, which PostgreSQL text refuses) become spaces. */
// Replacing control characters is the point of the pattern below.
const text = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .transform((v) => v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim());

export const SEARCH_SORTS = ['relevance', 'date', 'price'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export const SEARCH_MAX_LIMIT = 100;

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const price = z.coerce.number().nonnegative().max(1_000_000);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** `GET /v1/events/search`. Query values are strings; a repeated parameter (an array) is refused. */
export const searchQuerySchema = z
  .object({
    q: text(200).optional(),
    city: text(100).pipe(z.string().min(1)).optional(),
    near: z
      .string()
      .regex(/^\s*-?\d{1,3}(\.\d+)?\s*,\s*-?\d{1,3}(\.\d+)?\s*$/, 'must be "lat,lon" in decimal degrees')
      .transform((v) => v.split(',').map(Number) as [number, number])
      .refine(
        ([lat, lon]) => Math.abs(lat) <= 90 && Math.abs(lon) <= 180,
        'latitude must be within ±90 and longitude within ±180',
      )
      .optional(),
    radius_km: z.coerce.number().positive().max(20_000).optional(),
    start_date: dateOrDateTime.optional(),
    end_date: dateOrDateTime.optional(),
    venue_id: uuidSchema.optional(),
    performer_id: uuidSchema.optional(),
    category: z.enum(EVENT_CATEGORIES).optional(),
    min_price: price.optional(),
    max_price: price.optional(),
    available_only: bool.optional(),
    sort: z.enum(SEARCH_SORTS).optional(),
    limit: z.coerce.number().int().min(1).max(SEARCH_MAX_LIMIT).default(20),
    cursor: z.string().min(1).max(1000).optional(),
  })
  .strict()
  .refine((q) => q.radius_km === undefined || q.near !== undefined, {
    error: 'radius_km needs near',
    path: ['radius_km'],
  });
export type SearchQuery = z.infer<typeof searchQuerySchema>;
