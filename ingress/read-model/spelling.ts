import type { Pool } from '../../shared/db/pool';

/** What may stand unquoted in a tsquery: letters and digits only. */
const LEXEME = /^[\p{L}\p{N}]+$/u;

/** At most this many words of a query are used. */
const MAX_WORDS = 8;
/** Spelling alternatives kept per word. */
const MAX_ALTERNATIVES = 3;

/** Edits a word of this length may be away from a lexicon word and still match it. */
export function allowedEdits(length: number): number {
  return length <= 2 ? 0 : length <= 4 ? 1 : 2;
}

export interface CorrectedQuery {
  /** A tsquery (text) over the corrected words, or null when no word matched anything. */
  tsquery: string | null;
  /** Per query word: the lexicon words it stands for (empty: dropped). */
  words: Array<{ word: string; matches: string[]; prefix: boolean }>;
}

interface CandidateRow {
  ord: number;
  w: string;
  has_prefix: boolean;
  word: string | null;
  dist: number | null;
}

/** Words too common to narrow a search (English and the catalog's own filler), ignored beside others. */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'at',
  'by',
  'de',
  'for',
  'in',
  'la',
  'le',
  'live',
  'of',
  'on',
  'the',
  'to',
  'tour',
  'vs',
  'with',
]);

/**
 * Makes a typo-tolerant full-text query from what a person typed. The text is folded like the
 * documents (lower case, accents off) and split into words; each word is looked up in the lexicon of
 * words that occur in events. A word found as is stays; a misspelt one ("tayler") stands for its
 * closest lexicon words within a few edits ("taylor"): pg_trgm's `%` on the lexicon's trigram index
 * finds candidates, fuzzystrmatch's levenshtein picks the closest. The last word also matches as a
 * prefix (typeahead) unless it is a complete word. Very common words are ignored beside others;
 * words that match nothing are dropped; the rest are ANDed.
 */
export async function correctQuery(pool: Pool, q: string): Promise<CorrectedQuery> {
  const key = q.toLowerCase();
  const hit = corrections.get(key);
  if (hit && Date.now() - hit.at < CORRECTION_TTL_MS) return hit.value;
  const value = await correctUncached(pool, q);
  if (corrections.size >= CORRECTION_CACHE_MAX) corrections.delete(corrections.keys().next().value!);
  corrections.set(key, { at: Date.now(), value });
  return value;
}

/**
 * Corrections are reused for a minute in memory: the lexicon only grows, and a word that an event
 * added meanwhile is then recognised a minute late at most.
 */
const CORRECTION_TTL_MS = 60_000;
const CORRECTION_CACHE_MAX = 10_000;
const corrections = new Map<string, { at: number; value: CorrectedQuery }>();

async function correctUncached(pool: Pool, q: string): Promise<CorrectedQuery> {
  const { rows } = await pool.query<CandidateRow>({
    text: `WITH words AS (
             SELECT w, ord, length(w) >= 2 AND EXISTS (SELECT 1 FROM search_lexicon l WHERE l.word LIKE w || '%') AS has_prefix
             FROM (SELECT w, (row_number() OVER (ORDER BY n))::int AS ord
                   FROM regexp_split_to_table(onsale_fold($1), '[^[:alnum:]]+') WITH ORDINALITY AS t(w, n)
                   WHERE w <> '' ORDER BY n LIMIT $2) split
           )
           SELECT words.ord, words.w, words.has_prefix, c.word, c.dist
           FROM words
           LEFT JOIN LATERAL (
             -- A word is always similar to itself, so exact hits are among these candidates.
             SELECT l.word, levenshtein_less_equal(l.word, words.w, 3) AS dist
             FROM search_lexicon l
             WHERE l.word % words.w
             ORDER BY 2, similarity(l.word, words.w) DESC, l.word
             LIMIT 10
           ) c ON true
           ORDER BY words.ord, c.dist`,
    values: [q, MAX_WORDS],
  });
  const byWord = new Map<
    number,
    { w: string; candidates: Array<{ word: string; dist: number }>; hasPrefix: boolean }
  >();
  for (const r of rows) {
    const entry = byWord.get(r.ord) ?? { w: r.w, candidates: [], hasPrefix: r.has_prefix };
    if (r.word !== null && r.dist !== null) entry.candidates.push({ word: r.word, dist: r.dist });
    byWord.set(r.ord, entry);
  }
  const ords = [...byWord.keys()].sort((a, b) => a - b);
  const last = ords[ords.length - 1];
  // Very common words ("the", "vs") would match most of the catalog: they only count when the query
  // has nothing else.
  const meaningful = ords.some((o) => !STOP_WORDS.has(byWord.get(o)!.w));
  const words: CorrectedQuery['words'] = [];
  const clauses: string[] = [];
  for (const ord of ords) {
    const { w, candidates: all, hasPrefix } = byWord.get(ord)!;
    if (!LEXEME.test(w)) continue;
    if (meaningful && STOP_WORDS.has(w)) {
      words.push({ word: w, matches: [], prefix: false });
      continue;
    }
    const candidates = all.filter((c) => LEXEME.test(c.word));
    const exact = candidates.some((c) => c.dist === 0);
    let matches: string[];
    if (exact) matches = [w];
    else {
      const close = candidates.filter((c) => c.dist <= allowedEdits(w.length));
      const best = close.length ? Math.min(...close.map((c) => c.dist)) : -1;
      matches = close
        .filter((c) => c.dist === best)
        .slice(0, MAX_ALTERNATIVES)
        .map((c) => c.word);
    }
    // Typeahead: an unfinished last word ("tay") matches as a prefix; a complete one does not widen.
    const prefix = ord === last && hasPrefix && !exact;
    words.push({ word: w, matches, prefix });
    // Lexemes are [[:alnum:]] only (split above, filtered in the lexicon): safe inside a tsquery.
    const terms = [...(prefix ? [`${w}:*`] : []), ...matches];
    if (terms.length) clauses.push(`(${terms.join(' | ')})`);
  }
  return { tsquery: clauses.length ? clauses.join(' & ') : null, words };
}
