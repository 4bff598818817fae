import { render as mount } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { money, when } from '../lib/format';
import type { PageContext } from '../lib/page';

interface Hit {
  id: string;
  name: string;
  starts_at: string;
  status: 'scheduled' | 'on_sale' | 'sold_out' | 'cancelled';
  venue: { name: string; city: string } | null;
  price_range: { min: number; max: number } | null;
  availability: { available: number; sold_out: boolean };
  on_sale?: { at: string; open: boolean };
}
interface SearchPage {
  items: Hit[];
  query?: { words?: Array<{ word: string; matches: string[] }> };
}

/** "olso" → "oslo": the words the server matched instead of the ones typed, if any differ. */
function correction(p: SearchPage): string | null {
  const words = p.query?.words ?? [];
  const changed = words.some((w) => w.matches.length > 0 && !w.matches.includes(w.word.toLowerCase()));
  return changed ? words.map((w) => w.matches[0] ?? w.word).join(' ') : null;
}

export function render(el: HTMLElement, ctx: PageContext) {
  mount(<Search ctx={ctx} q={ctx.params.q ?? ''} />, el);
  return () => mount(null, el);
}

/** One word for the state of an event, never "sold out · sold out". */
function state(h: Hit): { text: string; bookable: boolean } {
  if (h.status === 'cancelled') return { text: 'Cancelled', bookable: false };
  if (h.status === 'sold_out' || h.availability.sold_out) return { text: 'Sold out', bookable: false };
  if (h.status === 'on_sale')
    return { text: `On sale · ${h.availability.available.toLocaleString('en')} left`, bookable: true };
  return { text: 'Coming soon', bookable: true };
}

function Search({ ctx, q }: { ctx: PageContext; q: string }) {
  const [page, setPage] = useState<SearchPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const qs = new URLSearchParams({ limit: '20', ...(q ? { q } : { sort: 'date' }) });
    ctx.api<SearchPage>('GET', `/v1/events/search?${qs}`).then(setPage, (e: unknown) => setError((e as Error).message));
  }, [q]);
  useEffect(() => {
    const input = document.getElementById('q') as HTMLInputElement | null;
    if (input && input.value !== q) input.value = q;
  }, [q]);
  return (
    <section>
      <h1>{q ? `Events matching “${q}”` : 'Upcoming events'}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!page && !error && <p>Loading…</p>}
      {page && correction(page) && <p class="muted">Showing results for “{correction(page)}”.</p>}
      {page && page.items.length === 0 && (
        <p role="status">{q ? `Nothing found for “${q}”. Try an artist, a venue or a city.` : 'No events yet.'}</p>
      )}
      {page && page.items.length > 0 && (
        <ul class="results">
          {page.items.map((h) => {
            const s = state(h);
            return (
              <li key={h.id} class={`card hit${s.bookable ? '' : ' closed'}`}>
                <h2>
                  <a href={`#/events/${h.id}`}>{h.name}</a>
                </h2>
                <p>
                  {when(h.starts_at)}
                  {h.venue ? ` · ${h.venue.name}, ${h.venue.city}` : ''}
                </p>
                <p>
                  {h.price_range && s.bookable ? `${money(h.price_range.min)} – ${money(h.price_range.max)} · ` : ''}
                  <span class={`badge ${h.status}`}>{s.text}</span>
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
