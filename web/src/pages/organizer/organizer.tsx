import { useEffect, useState } from 'preact/hooks';
import type { OrganizerOverview } from '../../../../shared/contracts/organizer';
import { ApiError } from '../../lib/api';
import type { PageContext } from '../../lib/page';
import { NewEvent } from './new-event';
import { SalesCard } from './sales';

/** Sales refresh while the page is open (orders come in during an on-sale). */
const REFRESH_MS = 5000;

/** `#/organizer`: create events from a venue layout, and each event's sales. */
export function Organizer({ ctx }: { ctx: PageContext }) {
  const [data, setData] = useState<OrganizerOverview | null>(null);
  const [error, setError] = useState('');
  const load = async () => {
    try {
      setData(await ctx.api<OrganizerOverview>('GET', '/v1/organizer/overview'));
      setError('');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Your events could not be loaded.');
    }
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  return (
    <div class="organizer-page">
      <h1>Organizer</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        !error && <p aria-busy="true">Loading your venues and events…</p>
      ) : (
        <div class="org-columns">
          <NewEvent ctx={ctx} venues={data.venues} onCreated={() => void load()} />
          <section aria-labelledby="sales-title">
            <h2 id="sales-title">Sales</h2>
            {data.events.length === 0 ? (
              <p class="muted">No events yet.</p>
            ) : (
              <ul class="org-list">
                {data.events.map((ev) => (
                  <SalesCard key={ev.event_id} ev={ev} />
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
