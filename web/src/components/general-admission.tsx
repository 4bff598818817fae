import { useEffect, useState } from 'preact/hooks';
import type { EventUpdatePush } from '../../../shared/contracts/socket';
import { clientConfig } from '../lib/client-config';
import type { EventPage } from '../lib/event-types';
import { money } from '../lib/format';
import type { PageContext } from '../lib/page';

import { book, errorText, PowProgress, PresaleField } from './booking-steps';

/** The event page's general-admission form: how many are left (live), how many to book. */
export function GeneralAdmission({ ctx, ev, closed }: { ctx: PageContext; ev: EventPage; closed: boolean }) {
  const [qty, setQty] = useState(2);
  const [code, setCode] = useState('');
  const [pow, setPow] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [available, setAvailable] = useState(ev.availability.available);
  const [limit, setLimit] = useState(ev.max_per_user);
  useEffect(() => void clientConfig().then((c) => setLimit(Math.min(ev.max_per_user, c.max_per_request))), []);
  useEffect(() => {
    const onSeats = (c: EventUpdatePush) =>
      c.event_id === ev.id && c.available !== undefined && setAvailable(c.available);
    const off = ctx.live.onConnect(() => {
      ctx.live.socket?.off('event.update', onSeats).on('event.update', onSeats);
      ctx.live.socket?.emit('event.watch', { event_id: ev.id }, () => undefined);
      void ctx.api<EventPage>('GET', `/v1/events/${ev.id}`).then(
        (e) => setAvailable(e.availability.available),
        () => undefined,
      );
    });
    return () => (
      off(),
      ctx.live.socket?.off('event.update', onSeats),
      ctx.live.socket?.emit('event.unwatch', { event_id: ev.id })
    );
  }, [ev.id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!ctx.session.token) {
      ctx.navigate(`#/signin?next=${encodeURIComponent(`#/events/${ev.id}`)}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await book(ctx, { event_id: ev.id, quantity: qty }, code, setPow);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
    setPow(null);
  };
  return (
    <form class="card ga" onSubmit={(e) => void submit(e)}>
      <h2>General admission · {money(ev.general_admission?.price)} each</h2>
      <p aria-live="polite">
        {available.toLocaleString('en')} of {ev.capacity.toLocaleString('en')} left
      </p>
      <label>
        Tickets (1–{limit}){' '}
        <input
          type="number"
          min={1}
          max={limit}
          value={qty}
          onInput={(e) => setQty(Number(e.currentTarget.value))}
          required
        />
      </label>{' '}
      <PresaleField ev={ev} code={code} setCode={setCode} />
      <button disabled={busy || closed || available === 0 || qty < 1 || qty > limit}>
        Book {qty} ticket{qty === 1 ? '' : 's'}
      </button>
      <PowProgress share={pow} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
