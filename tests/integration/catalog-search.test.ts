import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';
import { cachedSearch } from '../../ingress/read-model/search-events';
import { searchQuerySchema } from '../../shared/contracts/catalog';
import { redisKeys } from '../../shared/redis/keys';

/**
 * Search over a small known catalog: typo tolerance and relevance order, every filter and sort,
 * keyset paging while events are being added (no duplicates, no gaps), and bad input.
 */
describe('event search', () => {
  let env: TestEnv;
  const org = () => env.token('organizer-search', 'organizer');
  const day = 86400_000;
  const at = (days: number) => new Date(Date.now() + days * day).toISOString();
  const ids: Record<string, string> = {};
  const v: Record<string, string> = {};
  const p: Record<string, string> = {};

  const post = async (path: string, body: unknown) => {
    const res = await env.http('POST', path, { token: org(), body });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const search = async (query: string) => {
    const res = await env.http('GET', `/v1/events/search?${query}`);
    if (res.status !== 200) throw new Error(`search ${query}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as {
      items: Array<Record<string, any>>;
      next_cursor: string | null;
      query: { words?: Array<{ word: string; matches: string[] }> };
    };
  };
  const names = (r: { items: Array<Record<string, any>> }) => r.items.map((i) => i.name as string);

  beforeAll(async () => {
    env = await TestEnv.create({ AVAILABILITY_CACHE_TTL_S: '1', SEARCH_CACHE_TTL_S: '0' });
    await env.startIngress();
    await env.startWorker();
    v.sofi = await post('/v1/venues', {
      name: 'SoFi Stadium',
      city: 'Los Angeles',
      lat: 33.9535,
      lon: -118.3392,
      sections: [
        { name: 'Floor', rows: 2, seats_per_row: 5 },
        { name: 'Upper', rows: 2, seats_per_row: 5 },
      ],
    });
    v.msg = await post('/v1/venues', {
      name: 'Madison Square Garden',
      city: 'New York',
      lat: 40.7505,
      lon: -73.9934,
      standing_capacity: 1000,
    });
    v.hallen = await post('/v1/venues', {
      name: 'Hallenstadion',
      city: 'Zürich',
      lat: 47.4113,
      lon: 8.5517,
      standing_capacity: 500,
    });
    v.taylor = await post('/v1/venues', {
      name: 'Taylor Hall',
      city: 'Chicago',
      lat: 41.8781,
      lon: -87.6298,
      standing_capacity: 300,
    });
    p.swift = await post('/v1/performers', { name: 'Taylor Swift', type: 'artist', genre: 'pop' });
    p.mason = await post('/v1/performers', { name: 'Taylor Mason', type: 'comedian' });
    p.knicks = await post('/v1/performers', { name: 'New York Knicks', type: 'team' });
    p.celtics = await post('/v1/performers', { name: 'Boston Celtics', type: 'team' });
    p.jazz = await post('/v1/performers', { name: 'Zürich Jazz Orchestra', type: 'band', genre: 'jazz' });
    const ga = (capacity: number, price: number) => ({ general_admission: { capacity, price } });
    const events: Array<[string, Record<string, unknown>]> = [
      [
        'eras',
        {
          name: 'The Eras Tour',
          starts_at: at(10),
          category: 'concert',
          venue_id: v.sofi,
          performer_ids: [p.swift],
          price_tiers: [
            { name: 'floor', price: 250, sections: ['Floor'] },
            { name: 'upper', price: 90, sections: ['Upper'] },
          ],
        },
      ],
      [
        'tribute',
        {
          name: 'Taylor Swift Tribute Night',
          starts_at: at(20),
          category: 'concert',
          venue_id: v.taylor,
          ...ga(300, 40),
        },
      ],
      [
        'boat',
        { name: 'Swift Boat Racing', starts_at: at(30), category: 'sports', venue_id: v.taylor, ...ga(300, 15) },
      ],
      [
        'mason',
        {
          name: 'Taylor Mason: Stand-up',
          starts_at: at(12),
          category: 'comedy',
          venue_id: v.msg,
          performer_ids: [p.mason],
          ...ga(1000, 30),
        },
      ],
      [
        'jazz',
        {
          name: 'Jazz Nights',
          starts_at: at(40),
          category: 'festival',
          venue_id: v.hallen,
          performer_ids: [p.jazz],
          ...ga(500, 80),
        },
      ],
      [
        'knicks',
        {
          name: 'Knicks vs Celtics',
          starts_at: at(5),
          category: 'sports',
          venue_id: v.msg,
          performer_ids: [p.knicks, p.celtics],
          sections: [
            { name: 'Court', rows: 2, seats_per_row: 5, price: 150 },
            { name: 'Balcony', rows: 2, seats_per_row: 5, price: 50 },
          ],
        },
      ],
      ['tiny', { name: 'Tiny Gig', starts_at: at(15), category: 'concert', venue_id: v.msg, ...ga(1, 25) }],
      ['future', { name: 'Future Fest', starts_at: at(200), category: 'festival', venue_id: v.hallen, ...ga(500, 60) }],
      ['cancelled', { name: 'Cancelled Show', starts_at: at(8), category: 'concert', venue_id: v.msg, ...ga(100, 35) }],
    ];
    for (const [key, body] of events) ids[key] = await post('/v1/events', body);
    await env.pool.query("UPDATE events SET status = 'cancelled' WHERE id = $1", [ids.cancelled]);
    await waitFor(
      async () => (await env.pool.query('SELECT bool_and(inventory_ready) AS ok FROM events')).rows[0].ok === true,
      30_000,
      'inventory of every event',
    );
  });
  afterAll(() => env.cleanup());

  it('finds "tayler swfit" like "taylor swift", in relevance order', async () => {
    const exact = await search('q=taylor%20swift');
    expect(exact.items.map((i) => i.id).sort()).toEqual([ids.eras, ids.tribute, ids.boat].sort());
    // Name or performer matches (weight A) outrank a venue match (weight B).
    expect(exact.items[2]!.id).toBe(ids.boat);
    expect(exact.items[0]!.score).toBeGreaterThanOrEqual(exact.items[1]!.score);
    expect(exact.items[1]!.score).toBeGreaterThan(exact.items[2]!.score);
    const typo = await search('q=tayler%20swfit');
    expect(typo.items.map((i) => i.id)).toEqual(exact.items.map((i) => i.id));
    expect(typo.query.words).toEqual([
      { word: 'tayler', matches: ['taylor'], prefix: false },
      { word: 'swfit', matches: ['swift'], prefix: false },
    ]);
    expect(names(await search('q=TAYLOR%20SWIFT%20tickets'))).toEqual(names(exact));
  });

  it('folds accents and case, corrects venue names, and matches an unfinished last word as a prefix', async () => {
    expect(names(await search('q=zurich')).sort()).toEqual(['Future Fest', 'Jazz Nights']);
    expect(names(await search('q=Z%C3%BCRICH')).sort()).toEqual(['Future Fest', 'Jazz Nights']);
    expect(names(await search('q=hallenstadoin&sort=date'))).toEqual(['Jazz Nights', 'Future Fest']);
    expect(names(await search('q=taylo&sort=date'))).toEqual([
      'The Eras Tour',
      'Taylor Mason: Stand-up',
      'Taylor Swift Tribute Night',
      'Swift Boat Racing',
    ]);
    expect((await search('q=xqzvw')).items).toEqual([]);
  });

  it('returns what a hit needs: venue, city, dates, price range, availability', async () => {
    const [hit] = (await search('q=eras')).items;
    expect(hit).toMatchObject({
      id: ids.eras,
      name: 'The Eras Tour',
      category: 'concert',
      status: 'on_sale',
      venue: { id: v.sofi, name: 'SoFi Stadium', city: 'Los Angeles' },
      performers: [{ id: p.swift, name: 'Taylor Swift' }],
      price_range: { min: 90, max: 250 },
      availability: { capacity: 20, available: 20, sold_out: false, as_of: expect.any(String) },
    });
    expect(Date.parse(hit!.starts_at)).toBeGreaterThan(Date.now());
  });

  it('filters by city, distance, dates, venue, performer, category and price', async () => {
    expect(names(await search('city=zurich&sort=date'))).toEqual(['Jazz Nights', 'Future Fest']);
    expect(names(await search('city=new%20york&sort=date'))).toEqual([
      'Knicks vs Celtics',
      'Taylor Mason: Stand-up',
      'Tiny Gig',
    ]);
    expect(names(await search('near=40.75,-73.99&radius_km=5&sort=date'))).toEqual([
      'Knicks vs Celtics',
      'Taylor Mason: Stand-up',
      'Tiny Gig',
    ]);
    expect(names(await search('near=40.75,-73.99&radius_km=1500&sort=date'))).toEqual([
      'Knicks vs Celtics',
      'Taylor Mason: Stand-up',
      'Tiny Gig',
      'Taylor Swift Tribute Night',
      'Swift Boat Racing',
    ]);
    const date = (days: number) => at(days).slice(0, 10);
    expect(names(await search(`start_date=${date(4)}&end_date=${date(11)}&sort=date`))).toEqual([
      'Knicks vs Celtics',
      'The Eras Tour',
    ]);
    expect(names(await search(`start_date=${date(100)}`))).toEqual(['Future Fest']);
    expect(names(await search(`end_date=${encodeURIComponent(at(6))}`))).toEqual(['Knicks vs Celtics']);
    expect(names(await search(`venue_id=${v.sofi}`))).toEqual(['The Eras Tour']);
    expect(names(await search(`performer_id=${p.knicks}`))).toEqual(['Knicks vs Celtics']);
    expect(names(await search('category=sports'))).toEqual(['Knicks vs Celtics', 'Swift Boat Racing']);
    expect(names(await search('min_price=45&max_price=55'))).toEqual(['Knicks vs Celtics']);
    expect(names(await search('min_price=200'))).toEqual(['The Eras Tour']);
    expect(names(await search('max_price=20'))).toEqual(['Swift Boat Racing']);
    expect(names(await search('q=taylor&category=comedy&city=new%20york'))).toEqual(['Taylor Mason: Stand-up']);
    // Cancelled events are never found.
    expect(names(await search('q=cancelled'))).toEqual([]);
  });

  it('sorts by date, by price and by relevance', async () => {
    const byDate = (await search('sort=date')).items;
    expect(byDate.map((i) => i.name)).toEqual([
      'Knicks vs Celtics',
      'The Eras Tour',
      'Taylor Mason: Stand-up',
      'Tiny Gig',
      'Taylor Swift Tribute Night',
      'Swift Boat Racing',
      'Jazz Nights',
      'Future Fest',
    ]);
    const byPrice = (await search('sort=price')).items;
    expect(byPrice.map((i) => i.price_range.min)).toEqual([15, 25, 30, 40, 50, 60, 80, 90]);
    // Without q, relevance falls back to date.
    expect(names(await search('sort=relevance'))).toEqual(byDate.map((i) => i.name));
  });

  it('leaves sold-out events out with available_only, from the seat snapshot', async () => {
    const buyer = env.token('buyer-tiny');
    const booking = await env.http('POST', '/v1/bookings', { token: buyer, body: { event_id: ids.tiny, quantity: 1 } });
    expect(booking.status).toBe(202);
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${booking.body.booking_id}`, { token: buyer })).body.status === 'held',
      20_000,
      'held',
    );
    await waitFor(async () => (await search('q=tiny')).items[0]?.availability.available === 0, 5_000, 'availability');
    expect((await search('q=tiny')).items[0]).toMatchObject({
      status: 'sold_out',
      availability: { available: 0, sold_out: true },
    });
    expect(names(await search('city=new%20york&available_only=true&sort=date'))).toEqual([
      'Knicks vs Celtics',
      'Taylor Mason: Stand-up',
    ]);
    expect(names(await search('available_only=true&sort=date&limit=3'))).toEqual([
      'Knicks vs Celtics',
      'The Eras Tour',
      'Taylor Mason: Stand-up',
    ]);
    const next = await search('available_only=true&sort=date&limit=3');
    expect(names(await search(`available_only=true&sort=date&limit=3&cursor=${next.next_cursor}`))).toEqual([
      'Taylor Swift Tribute Night',
      'Swift Boat Racing',
      'Jazz Nights',
    ]);
  });

  it.each(['date', 'price', 'relevance'])(
    'pages by %s with no duplicates and no gaps while events are added',
    async (sort) => {
      const tag = `paging${sort}`;
      const original = await Promise.all(
        Array.from({ length: 22 }, (_, i) =>
          post('/v1/events', {
            name: `${tag} Run ${i}`,
            starts_at: at(50 + (i % 7)),
            venue_id: v.msg,
            general_admission: { capacity: 10, price: 10 + (i % 5) },
          }),
        ),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      let added = 0;
      do {
        const query: string = `q=${tag}&sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
        // Each page races two inserts: one sorting before the cursor, one after.
        const [page] = await Promise.all([
          search(query),
          post('/v1/events', {
            name: `${tag} Run late ${added++}`,
            starts_at: at(49),
            venue_id: v.msg,
            general_admission: { capacity: 10, price: 1 },
          }),
          post('/v1/events', {
            name: `${tag} Run late ${added++}`,
            starts_at: at(90),
            venue_id: v.msg,
            general_admission: { capacity: 10, price: 99 },
          }),
        ]);
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items.map((i) => i.id as string));
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(cursor).toBeNull();
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of original) expect(seen).toContain(id);
    },
  );

  it('answers bad input with 4xx and a stable code', async () => {
    const cases: Array<[string, number, string]> = [
      ['limit=0', 400, 'validation_failed'],
      ['limit=101', 400, 'validation_failed'],
      ['limit=99999999999999', 400, 'validation_failed'],
      ['limit=ten', 400, 'validation_failed'],
      ['start_date=2027-02-30', 400, 'validation_failed'],
      ['start_date=tomorrow', 400, 'validation_failed'],
      ['end_date=2027-13-01', 400, 'validation_failed'],
      ['start_date=2030-02-01&end_date=2030-01-01', 400, 'invalid_range'],
      ['min_price=100&max_price=10', 400, 'invalid_range'],
      ['min_price=-1', 400, 'validation_failed'],
      ['max_price=Infinity', 400, 'validation_failed'],
      ['near=100,0', 400, 'validation_failed'],
      ['near=abc', 400, 'validation_failed'],
      ['radius_km=5', 400, 'validation_failed'],
      ['near=1,1&radius_km=0', 400, 'validation_failed'],
      ['sort=name', 400, 'validation_failed'],
      ['category=opera-ball', 400, 'validation_failed'],
      ['venue_id=1%20OR%201=1', 400, 'validation_failed'],
      ['q=a&q=b', 400, 'validation_failed'],
      [`q=${'x'.repeat(201)}`, 400, 'validation_failed'],
      ['unknown=1', 400, 'validation_failed'],
      ['cursor=not-a-cursor', 400, 'invalid_cursor'],
      [`cursor=${Buffer.from('{"s":"date","k":"x","i":"y"}').toString('base64url')}`, 400, 'invalid_cursor'],
    ];
    for (const [query, status, code] of cases) {
      const res = await env.http('GET', `/v1/events/search?${query}`);
      expect(res.status, query).toBe(status);
      expect(res.body.error.code, query).toBe(code);
    }
    const first = await search('sort=date&limit=2');
    const other = await env.http(
      'GET',
      `/v1/events/search?sort=date&limit=2&category=sports&cursor=${first.next_cursor}`,
    );
    expect(other.body.error.code).toBe('invalid_cursor');
  });

  it('reuses an answer for the same query for SEARCH_CACHE_TTL_S, and only for the same query', async () => {
    let runs = 0;
    const run = () => Promise.resolve({ items: [], run: ++runs });
    const query = searchQuerySchema.parse({ q: 'cache me', limit: '5' });
    const first = await cachedSearch(env.redis, redisKeys(env.config.REDIS_PREFIX), 5, query, run);
    expect(await cachedSearch(env.redis, redisKeys(env.config.REDIS_PREFIX), 5, { ...query }, run)).toBe(first);
    await cachedSearch(env.redis, redisKeys(env.config.REDIS_PREFIX), 5, { ...query, limit: 6 }, run);
    expect(runs).toBe(2);
    await cachedSearch(env.redis, redisKeys(env.config.REDIS_PREFIX), 0, query, run);
    expect(runs).toBe(3);
  });

  it('treats injection attempts as plain words', async () => {
    const before = (await env.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    for (const q of [
      "'; DROP TABLE events; --",
      "taylor' OR '1'='1",
      'a & b | !c:* <-> (',
      '%_\\',
      '(((',
      "swift:* & !'x'",
      '😀 taylor',
    ]) {
      const res = await env.http('GET', `/v1/events/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(Array.isArray(res.body.items), q).toBe(true);
    }
    // A NUL is refused at the door (PostgreSQL could not store or compare it), like any control character.
    const nul = await env.http('GET', `/v1/events/search?q=${encodeURIComponent('\u0000swift')}`);
    expect([nul.status, nul.body.error.code]).toEqual([400, 'invalid_characters']);
    expect(names(await search(`q=${encodeURIComponent("swift:* & !'x'")}`)).sort()).toEqual(
      ['Swift Boat Racing', 'Taylor Swift Tribute Night', 'The Eras Tour'].sort(),
    );
    expect((await env.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(before);
  });
});
