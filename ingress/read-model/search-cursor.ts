import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SEARCH_SORTS, type SearchSort } from '../../shared/contracts/catalog';
import { AppError } from '../../shared/errors';

/**
 * Keyset cursors for search: the sort key and id of the last row a page covered, plus the pinned
 * "now" of the first page and a fingerprint of the filters. The next page continues strictly after
 * that key, so rows inserted meanwhile never shift it: no duplicates, no gaps among the rows that
 * existed. Opaque to clients (base64url JSON); one made for other filters is refused.
 */
export interface SearchCursor {
  /** Sort it was made for. */
  s: SearchSort;
  /** Sort key: score (relevance), starts_at as PostgreSQL text (date), min price in cents (price). */
  k: string;
  /** starts_at as PostgreSQL text (relevance ties). */
  d?: string;
  /** Event id. */
  i: string;
  /** Relevance: the end (starts_at text, id) of the ranked window, pinned by the first page. */
  wk?: string;
  wi?: string;
  /** The first page's "now" (ISO), so "upcoming" means the same on every page. */
  t: string;
  /** Fingerprint of the filters. */
  f: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;
const cursorSchema = z
  .object({
    s: z.enum(SEARCH_SORTS),
    k: z.string().max(64),
    d: z.string().regex(TIMESTAMP).optional(),
    i: z.uuid(),
    wk: z.string().regex(TIMESTAMP).optional(),
    wi: z.uuid().optional(),
    t: z.iso.datetime(),
    f: z.string().regex(/^[0-9a-f]{16}$/),
  })
  .strict()
  .refine((c) =>
    c.s === 'date'
      ? TIMESTAMP.test(c.k)
      : c.s === 'price'
        ? /^\d{1,10}$/.test(c.k)
        : /^\d{1,6}(\.\d{1,6})?$/.test(c.k) && c.d !== undefined,
  );

export function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Decodes a cursor made for these filters and sort; 400 `invalid_cursor` otherwise. */
export function decodeCursor(raw: string, sort: SearchSort, fingerprint: string): SearchCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('invalid_cursor');
  }
  const c = cursorSchema.safeParse(parsed);
  if (!c.success) throw new AppError('invalid_cursor');
  if (c.data.s !== sort || c.data.f !== fingerprint)
    throw new AppError('invalid_cursor', 'The cursor was made for other filters or another sort.');
  return c.data;
}

/** A stable fingerprint of everything that selects and orders rows (not `limit`, not `cursor`). */
export function filtersFingerprint(filters: Record<string, unknown>): string {
  const stable = Object.keys(filters)
    .sort()
    .map((k) => [k, filters[k]]);
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 16);
}
