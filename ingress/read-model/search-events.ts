import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Pool } from '../../shared/db/pool';
import type { RedisKeys } from '../../shared/redis/keys';
import type { SearchQuery, SearchSort } from '../../shared/contracts/catalog';
import { AppError } from '../../shared/errors';
import { fromCents, toCents } from '../../shared/money';
import { availabilityOfMany } from './availability';
import { liveState } from './event-details';
import { decodeCursor, encodeCursor, filtersFingerprint, type SearchCursor } from './search-cursor';
import { correctQuery } from './spelling';

/** With `available_only`, at most this many rows are examined for one page (it may come back short). */
const AVAILABLE_ONLY_SCAN_FACTOR = 5;
/** Default radius of `near` without `radius_km`. */
const DEFAULT_RADIUS_KM = 25;

export interface SearchDeps {
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  availabilityTtlS: number;
  /** WAITING_ROOM_MINUTES in ms: when each event's queue opens. @defaultValue 0 */
  waitingRoomMs?: number;
}

interface HitRow {
  id: string;
  name: string;
  starts_at: Date;
  ends_at: Date | null;
  on_sale_at: Date;
  category: string;
  kind: 'reserved' | 'general_admission';
  capacity: number;
  inventory_ready: boolean;
  ga_available: number | null;
  min_price_cents: number;
  max_price_cents: number;
  status: string;
  starts_key: string;
  score: string | null;
  /** Relevance only: the end of the ranked window and how many rows it holds. */
  window_k?: string;
  window_i?: string;
  window_n?: number;
  venue: { id: string; name: string; city: string } | null;
  performers: Array<{ id: string; name: string }>;
}

// Filters shared by every sort, $1…$9; an absent filter is NULL, which the planner folds away
// (unnamed statements are planned with their values). Only these constant texts make up the SQL.
// Venue and performer filters arrive resolved to id lists ($3, $5): a semi-join written here
// would hide behind the "IS NULL OR" and turn into a filter over every upcoming event.
const FILTERS = `e.status = 'scheduled'
    AND e.starts_at >= $1::timestamptz
    AND ($2::timestamptz IS NULL OR e.starts_at < $2::timestamptz)
    AND ($3::uuid[] IS NULL OR e.venue_id = ANY($3::uuid[]))
    AND ($4::text IS NULL OR e.category = $4::text)
    AND ($5::uuid[] IS NULL OR e.id = ANY($5::uuid[]))
    AND ($6::int IS NULL OR e.max_price_cents >= $6::int)
    AND ($7::int IS NULL OR e.min_price_cents <= $7::int)
    AND ($8::boolean IS NOT TRUE OR e.kind = 'reserved' OR NOT e.inventory_ready OR e.ga_available > 0)
    AND ($9::tsquery IS NULL OR e.search_document @@ $9::tsquery)`;

const COLUMNS = `e.id, e.name, e.starts_at, e.ends_at, e.on_sale_at, e.category, e.kind, e.capacity, e.inventory_ready, e.ga_available,
    e.min_price_cents, e.max_price_cents, e.status, e.venue_id, e.starts_at::text AS starts_key`;

const HIT_COLUMNS = `id, name, starts_at, ends_at, on_sale_at, category, kind, capacity, inventory_ready, ga_available,
    min_price_cents, max_price_cents, status, venue_id, starts_key`;

/** Venue ids for venue_id / city / near, event ids for performer_id (NULL: no such filter). */
const RESOLVE = `SELECT
    CASE WHEN $1::uuid IS NULL AND $2::text IS NULL AND $3::float8 IS NULL THEN NULL
         ELSE coalesce((SELECT array_agg(v.id) FROM venues v
                        WHERE ($1::uuid IS NULL OR v.id = $1::uuid)
                          AND ($2::text IS NULL OR onsale_fold(v.city) = onsale_fold($2::text))
                          AND ($3::float8 IS NULL OR (earth_box(ll_to_earth($3::float8, $4::float8), $5::float8) @> ll_to_earth(v.lat, v.lon)
                                                    AND earth_distance(ll_to_earth($3::float8, $4::float8), ll_to_earth(v.lat, v.lon)) <= $5::float8))),
                       '{}') END AS venue_ids,
    CASE WHEN $6::uuid IS NULL THEN NULL
         ELSE coalesce((SELECT array_agg(ep.event_id) FROM event_performers ep WHERE ep.performer_id = $6::uuid), '{}') END AS event_ids`;

/**
 * Relevance ranks the soonest RELEVANCE_WINDOW matches (all of them for any specific query): a
 * broad query ("the") would otherwise rank tens of thousands of rows per page. The first page finds
 * the window's last (starts_at, id) in the same statement and pins it in the cursor, so later pages
 * rank the same events (and any added inside the window meanwhile): no duplicates, no gaps.
 */
export const RELEVANCE_WINDOW = 500;

// Keyset continuation ($10 key, $11 id) and order, per sort; then the row limit. Relevance also takes
// $12 (starts_at of a score tie), the window's end ($13, $14), the page size ($15) and the window
// size ($16: RELEVANCE_WINDOW on the first page, NULL after).
const PAGE: Record<SearchSort, string> = {
  date: `SELECT ${COLUMNS} FROM events e
         WHERE ${FILTERS}
           AND ($10::text IS NULL OR (e.starts_at, e.id) > ($10::text::timestamptz, $11::uuid))
         ORDER BY e.starts_at, e.id LIMIT $12`,
  price: `SELECT ${COLUMNS} FROM events e
          WHERE ${FILTERS}
            AND ($10::text IS NULL OR (e.min_price_cents, e.id) > ($10::text::int, $11::uuid))
          ORDER BY e.min_price_cents, e.id LIMIT $12`,
  // ts_rank needs no corpus statistics, so a row's score never changes as events are added: the
  // keyset stays valid. Rounded, so the key round-trips exactly through the cursor.
  relevance: `WITH w AS MATERIALIZED (
                -- Ranked after the window is cut: ts_rank runs on its rows only, not on every match.
                SELECT ${HIT_COLUMNS}, round(ts_rank('{0.1, 0.2, 0.4, 1.0}', c.search_document, $9::tsquery, 1)::numeric, 6) AS score_n
                FROM (
                  SELECT ${COLUMNS}, e.search_document
                  FROM events e
                  WHERE ${FILTERS}
                    AND ($13::text IS NULL OR (e.starts_at, e.id) <= ($13::text::timestamptz, $14::uuid))
                  ORDER BY e.starts_at, e.id LIMIT $16
                ) c
              ), window_end AS (
                SELECT w.starts_key AS window_k, w.id AS window_i, (SELECT count(*) FROM w)::int AS window_n FROM w ORDER BY w.starts_at DESC, w.id DESC LIMIT 1
              )
              SELECT h.*, window_end.* FROM (
                SELECT * FROM w
                WHERE ($10::text IS NULL OR w.score_n < $10::text::numeric
                       OR (w.score_n = $10::text::numeric AND (w.starts_at, w.id) > ($12::text::timestamptz, $11::uuid)))
                ORDER BY w.score_n DESC, w.starts_at, w.id LIMIT $15
              ) h CROSS JOIN window_end`,
};

/** The page query, wrapped to add venue and performers to the page's rows only. */
function pageSql(sort: SearchSort): string {
  const order =
    sort === 'relevance'
      ? 'p.score_n DESC, p.starts_at, p.id'
      : sort === 'price'
        ? 'p.min_price_cents, p.id'
        : 'p.starts_at, p.id';
  return `SELECT p.*, ${sort === 'relevance' ? 'p.score_n::text AS score' : 'NULL::text AS score'},
                 CASE WHEN v.id IS NULL THEN NULL ELSE json_build_object('id', v.id, 'name', v.name, 'city', v.city) END AS venue,
                 coalesce((SELECT json_agg(json_build_object('id', pf.id, 'name', pf.name) ORDER BY ep.position, pf.name)
                           FROM event_performers ep JOIN performers pf ON pf.id = ep.performer_id WHERE ep.event_id = p.id), '[]') AS performers
          FROM (${PAGE[sort]}) p LEFT JOIN venues v ON v.id = p.venue_id
          ORDER BY ${order}`;
}

/** Exclusive upper bound of an end date: a whole day when only the date is given. */
function parseBound(value: string, field: string, end: boolean): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const d = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime()) || (dateOnly && d.toISOString().slice(0, 10) !== value)) {
    throw new AppError('validation_failed', undefined, [{ path: field, message: 'not a real date' }]);
  }
  if (end) d.setTime(d.getTime() + (dateOnly ? 86_400_000 : 1));
  return d;
}

/**
 * `GET /v1/events/search`: typo-tolerant full-text search with filters, three sorts and keyset
 * cursors. Only scheduled (not cancelled) events from now on (or from `start_date`) are found. Each
 * hit carries an availability summary that may be seconds old.
 */
export async function searchEvents(deps: SearchDeps, query: SearchQuery) {
  const q = query.q?.trim() ? query.q.trim() : undefined;
  const sort: SearchSort = query.sort === 'relevance' && !q ? 'date' : (query.sort ?? (q ? 'relevance' : 'date'));
  const minCents = query.min_price !== undefined ? toCents(query.min_price) : null;
  const maxCents = query.max_price !== undefined ? toCents(query.max_price) : null;
  if (minCents !== null && maxCents !== null && minCents > maxCents)
    throw new AppError('invalid_range', 'min_price is above max_price');
  const start = query.start_date ? parseBound(query.start_date, 'start_date', false) : null;
  const end = query.end_date ? parseBound(query.end_date, 'end_date', true) : null;
  if (start && end && start >= end) throw new AppError('invalid_range', 'start_date is after end_date');

  const { cursor: rawCursor, limit, ...filters } = query;
  const fingerprint = filtersFingerprint({ ...filters, q, sort });
  const cursor: SearchCursor | null = rawCursor ? decodeCursor(rawCursor, sort, fingerprint) : null;
  const now = cursor ? new Date(cursor.t) : new Date();
  const from = start ?? now;

  const [corrected, resolved] = await Promise.all([
    q ? correctQuery(deps.pool, q) : null,
    resolveIds(deps.pool, query),
  ]);
  const emptyPage = { items: [], next_cursor: null, query: { sort, ...(corrected ? { words: corrected.words } : {}) } };
  if (corrected && corrected.tsquery === null) return emptyPage;
  const { venueIds, eventIds } = resolved;
  if (venueIds?.length === 0 || eventIds?.length === 0) return emptyPage;
  const base = [
    from.toISOString(),
    end?.toISOString() ?? null,
    venueIds,
    query.category ?? null,
    eventIds,
    minCents,
    maxCents,
    query.available_only === true,
    corrected?.tsquery ?? null,
  ];
  // Relevance: the window pinned by the first page (null: every match), or found now.
  let window: { k: string; i: string } | null = cursor?.wk && cursor.wi ? { k: cursor.wk, i: cursor.wi } : null;
  const firstPage = !cursor;
  const sql = pageSql(sort);
  const wanted = limit;
  const batch = query.available_only ? Math.min(wanted * 2, 200) : wanted + 1;
  const maxScan = query.available_only ? wanted * AVAILABLE_ONLY_SCAN_FACTOR : wanted + 1;

  let after: { k: string; i: string; d?: string } | null = cursor
    ? { k: cursor.k, i: cursor.i, ...(cursor.d ? { d: cursor.d } : {}) }
    : null;
  const items: ReturnType<typeof toItem>[] = [];
  let lastCovered: HitRow | null = null;
  let scanned = 0;
  let exhausted = false;
  while (items.length < wanted && scanned < maxScan) {
    const values =
      sort === 'relevance'
        ? [
            ...base,
            after?.k ?? null,
            after?.i ?? null,
            after?.d ?? null,
            window?.k ?? null,
            window?.i ?? null,
            batch,
            firstPage ? RELEVANCE_WINDOW : null,
          ]
        : [...base, after?.k ?? null, after?.i ?? null, batch];
    const { rows } = await deps.pool.query<HitRow>({ text: sql, values });
    if (firstPage && sort === 'relevance' && !window && rows[0]?.window_n === RELEVANCE_WINDOW)
      window = { k: rows[0].window_k!, i: rows[0].window_i! };
    if (rows.length < batch) exhausted = true;
    const availability = await availabilityOfMany(deps.pool, deps.redis, deps.keys, rows, {
      readSummary: true,
      summaryTtlS: deps.availabilityTtlS,
    });
    for (const row of rows) {
      if (items.length === wanted) {
        // One row beyond the page exists: there is a next page, starting after the last item.
        exhausted = false;
        break;
      }
      scanned++;
      lastCovered = row;
      const a = availability.get(row.id)!;
      if (query.available_only && a.available === 0) continue;
      items.push(toItem(row, a, now.getTime(), deps.waitingRoomMs ?? 0));
    }
    if (exhausted || !rows.length) break;
    const tail = rows[rows.length - 1]!;
    if (items.length < wanted) after = keyOf(sort, tail);
    else break;
  }
  const nextCursor =
    !exhausted && lastCovered
      ? encodeCursor({
          s: sort,
          ...keyOf(sort, lastCovered),
          ...(window ? { wk: window.k, wi: window.i } : {}),
          t: now.toISOString(),
          f: fingerprint,
        })
      : null;
  return {
    items,
    next_cursor: nextCursor,
    ...(corrected ? { query: { sort, words: corrected.words } } : { query: { sort } }),
  };
}

/** The venue ids (venue_id, city, near) and event ids (performer_id) a query is limited to; null: not limited. */
async function resolveIds(
  pool: Pool,
  query: SearchQuery,
): Promise<{ venueIds: string[] | null; eventIds: string[] | null }> {
  if (!query.venue_id && !query.city && !query.near && !query.performer_id) return { venueIds: null, eventIds: null };
  const [lat, lon] = query.near ?? [null, null];
  const radiusM = query.near ? (query.radius_km ?? DEFAULT_RADIUS_KM) * 1000 : null;
  const { rows } = await pool.query<{ venue_ids: string[] | null; event_ids: string[] | null }>({
    text: RESOLVE,
    values: [query.venue_id ?? null, query.city ?? null, lat, lon, radiusM, query.performer_id ?? null],
  });
  return { venueIds: rows[0]!.venue_ids, eventIds: rows[0]!.event_ids };
}

/**
 * A search answer reused for `ttlS` seconds for the very same query (popular searches and typeahead
 * prefixes repeat a lot): hits and their availability may then be that much older, which search
 * allows. The JSON text is cached, so a hit costs one Redis GET. Redis down: no cache.
 */
export async function cachedSearch(
  redis: Redis,
  keys: RedisKeys,
  ttlS: number,
  query: SearchQuery,
  run: () => Promise<unknown>,
): Promise<string> {
  if (ttlS <= 0) return JSON.stringify(await run());
  const key = keys.searchCache(
    createHash('sha256')
      .update(JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b))))
      .digest('base64url'),
  );
  const hit = await redis.get(key).catch(() => null);
  if (hit) return hit;
  const answer = JSON.stringify(await run());
  await redis.set(key, answer, 'EX', ttlS).catch(() => undefined);
  return answer;
}

function keyOf(sort: SearchSort, row: HitRow): { k: string; i: string; d?: string } {
  if (sort === 'date') return { k: row.starts_key, i: row.id };
  if (sort === 'price') return { k: String(row.min_price_cents), i: row.id };
  return { k: row.score!, i: row.id, d: row.starts_key };
}

function toItem(
  row: HitRow,
  a: Awaited<ReturnType<typeof availabilityOfMany>> extends Map<string, infer A> ? A : never,
  now: number,
  waitingRoomMs: number,
) {
  const state = liveState(
    {
      cancelled: row.status === 'cancelled',
      inventory_ready: row.inventory_ready,
      on_sale_at: row.on_sale_at.toISOString(),
    },
    a,
    now,
    waitingRoomMs,
  );
  return {
    id: row.id,
    name: row.name,
    starts_at: row.starts_at.toISOString(),
    ends_at: row.ends_at ? row.ends_at.toISOString() : null,
    category: row.category,
    status: state.status,
    on_sale: state.on_sale,
    venue: row.venue,
    performers: row.performers,
    price_range: { min: fromCents(row.min_price_cents), max: fromCents(row.max_price_cents) },
    availability: {
      capacity: a.capacity,
      available: a.available,
      sold_out: row.inventory_ready && a.available === 0,
      as_of: a.as_of,
      source: a.source,
    },
    ...(row.score !== null ? { score: Number(row.score) } : {}),
  };
}
