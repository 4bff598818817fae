import type { Pool } from '../../shared/db/pool';
import { mulberry32 } from '../../shared/random';

/**
 * The read benchmark's request mix, drawn from the seeded catalog itself so every request can hit
 * something: performer and event names (a third of them misspelt, some cut short as if still being
 * typed), cities, distances, dates, categories and prices, in the proportions a search page sees.
 */

/** The same seed gives the same request mix. */
const prng = mulberry32;

/** One typo: two neighbouring letters swapped, one dropped, or one doubled. */
function misspell(word: string, rnd: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(rnd() * (word.length - 2));
  const kind = Math.floor(rnd() * 3);
  if (kind === 0) return word.slice(0, i) + word[i + 1]! + word[i]! + word.slice(i + 2);
  if (kind === 1) return word.slice(0, i) + word.slice(i + 1);
  return word.slice(0, i) + word[i]! + word.slice(i);
}

const day = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * `length` requests over `distinct` different searches whose popularity follows Zipf's law (the k-th
 * most popular is asked 1/k as often as the first), as searches on a ticket site do: a few artists and
 * typeahead prefixes make much of the traffic, and a long tail the rest.
 */
export async function searchPaths(pool: Pool, length: number, distinct = 2000, seed = 7): Promise<string[]> {
  const queries = await distinctSearches(pool, distinct, seed);
  const rnd = prng(seed + 1);
  const weights = queries.map((_, k) => 1 / (k + 1));
  const cumulative: number[] = [];
  weights.reduce((sum, w, k) => (cumulative[k] = sum + w), 0);
  const total = cumulative[cumulative.length - 1]!;
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    const r = rnd() * total;
    let lo = 0,
      hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    out.push(queries[lo]!);
  }
  return out;
}

/** Different searches, in a random popularity order. */
export async function distinctSearches(pool: Pool, count: number, seed = 7): Promise<string[]> {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const performers = (
    await pool.query<{ name: string; id: string }>('SELECT id, name FROM performers ORDER BY random() LIMIT 500')
  ).rows;
  const events = (await pool.query<{ name: string }>('SELECT name FROM events ORDER BY random() LIMIT 500')).rows.map(
    (r) => r.name,
  );
  const venues = (
    await pool.query<{ id: string; city: string; lat: number; lon: number }>('SELECT id, city, lat, lon FROM venues')
  ).rows;
  const categories = ['concert', 'sports', 'theatre', 'comedy', 'family', 'festival', 'conference'];
  const sorts = ['', '', '&sort=date', '&sort=price'];
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rnd();
    let q: string;
    if (roll < 0.45) {
      // A performer, a third of the time misspelt.
      const words = pick(performers).name.split(' ');
      q = `q=${encodeURIComponent(words.map((w) => (rnd() < 0.33 ? misspell(w, rnd) : w)).join(' '))}`;
    } else if (roll < 0.55) {
      // Typeahead: the start of an event name.
      const name = pick(events);
      q = `q=${encodeURIComponent(name.slice(0, 3 + Math.floor(rnd() * 8)))}`;
    } else if (roll < 0.65) {
      const v = pick(venues);
      q = `city=${encodeURIComponent(v.city)}${pick(sorts)}`;
    } else if (roll < 0.72) {
      const v = pick(venues);
      q = `near=${v.lat.toFixed(3)},${v.lon.toFixed(3)}&radius_km=${pick([5, 25, 100])}`;
    } else if (roll < 0.8) {
      const from = Date.now() + Math.floor(rnd() * 300) * day;
      q = `category=${pick(categories)}&start_date=${isoDate(from)}&end_date=${isoDate(from + 30 * day)}${pick(sorts)}`;
    } else if (roll < 0.86) {
      const min = Math.floor(rnd() * 100);
      q = `min_price=${min}&max_price=${min + 50}&sort=price`;
    } else if (roll < 0.91) {
      q = `performer_id=${pick(performers).id}`;
    } else if (roll < 0.95) {
      q = `venue_id=${pick(venues).id}&sort=date`;
    } else {
      q = `q=${encodeURIComponent(pick(performers).name.split(' ')[0]!)}&available_only=true&city=${encodeURIComponent(pick(venues).city)}`;
    }
    paths.push(`/v1/events/search?${q}${rnd() < 0.2 ? '&limit=50' : ''}`);
  }
  return [...new Set(paths)];
}

/**
 * Event pages: a few hundred popular events (they make most of the traffic: 80 %) and the long tail
 * of the whole catalog, as on a ticket site.
 */
export async function eventPaths(pool: Pool, count: number, seed = 11): Promise<string[]> {
  const rnd = prng(seed);
  const all = (await pool.query<{ id: string }>('SELECT id FROM events ORDER BY random() LIMIT 20000')).rows.map(
    (r) => r.id,
  );
  const hot = all.slice(0, 300);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const list = rnd() < 0.8 ? hot : all;
    paths.push(`/v1/events/${list[Math.floor(rnd() * list.length)]}`);
  }
  return paths;
}
