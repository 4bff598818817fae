import { render as mount } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConfirmButton } from '../components/confirm-button';
import { seatName } from '../lib/booking-types';
import { money, words } from '../lib/format';
import type { PageContext } from '../lib/page';
import { reasonText } from '../lib/reasons';
import { until } from '../lib/until';
import type { Ticket } from './tickets';

interface BookingRow {
  booking_id: string;
  event_id: string;
  event_name: string | null;
  status: string;
  seats?: string[];
  quantity?: number;
  amount?: number;
  total?: number;
  reason?: string;
}

export function render(el: HTMLElement, ctx: PageContext) {
  if (!ctx.session.token) {
    ctx.navigate(`#/signin?next=${encodeURIComponent('#/bookings')}`);
    return;
  }
  mount(<Bookings ctx={ctx} />, el);
  return () => mount(null, el);
}

function Bookings({ ctx }: { ctx: PageContext }) {
  const [items, setItems] = useState<BookingRow[] | null>(null);
  const [held, setHeld] = useState<Map<string, number>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      const [b, t] = await Promise.all([
        ctx.api<{ items: BookingRow[] }>('GET', '/v1/me/bookings?limit=50'),
        ctx.api<{ items: Ticket[] }>('GET', '/v1/me/tickets?limit=100'),
      ]);
      const counts = new Map<string, number>();
      for (const x of t.items) if (x.status === 'valid') counts.set(x.booking_id, (counts.get(x.booking_id) ?? 0) + 1);
      setHeld(counts);
      setItems(b.items);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(), []);
  return (
    <section>
      <h1>My bookings</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {items?.length === 0 && <p>No bookings yet.</p>}
      {items && items.length > 0 && (
        <ul class="results bookings">
          {items.map((b) => (
            <BookingCard
              key={b.booking_id}
              ctx={ctx}
              b={b}
              ticketsHeld={held.get(b.booking_id) ?? 0}
              onChanged={() => void load()}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function BookingCard({
  ctx,
  b,
  ticketsHeld,
  onChanged,
}: {
  ctx: PageContext;
  b: BookingRow;
  ticketsHeld: number;
  onChanged: () => void;
}) {
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tickets = b.seats?.length ?? b.quantity ?? 0;
  // A confirmed booking whose tickets were (partly) transferred away can no longer be cancelled by its buyer.
  const transferred = b.status === 'confirmed' && ticketsHeld < tickets;
  const cancel = async () => {
    setBusy(true);
    try {
      await ctx.api('DELETE', `/v1/bookings/${b.booking_id}`);
      setNote('Cancelling…');
      await until(async () =>
        ['refunded', 'cancelled'].includes(
          (await ctx.api<{ status: string }>('GET', `/v1/bookings/${b.booking_id}`)).status,
        ),
      );
      ctx.announce('Booking cancelled; the refund is on its way.');
      onChanged();
    } catch (e) {
      setNote((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <li class="card" data-booking={b.booking_id}>
      <h2>{b.event_name ?? 'Event'}</h2>
      <p>{b.seats?.length ? b.seats.map(seatName).join('; ') : `${tickets} ticket${tickets === 1 ? '' : 's'}`}</p>
      <p>
        <span class={`badge ${b.status}`}>{words(b.status)}</span>
        {b.total !== undefined ? ` · ${money(b.total)} paid` : b.amount !== undefined ? ` · ${money(b.amount)}` : ''}
      </p>
      {b.reason && <p class="muted">{reasonText(b.reason)}</p>}
      <div class="actions">
        {(b.status === 'queued' || b.status === 'held' || b.status === 'payment_pending') && (
          <a class="button" href={`#/bookings/${b.booking_id}`}>
            {b.status === 'held' ? 'Pay now' : 'Open'}
          </a>
        )}
        {b.status === 'confirmed' && !transferred && (
          <ConfirmButton
            label="Cancel and refund"
            busy={busy}
            yes="Yes, cancel"
            question={
              <>
                Cancel this booking? Its tickets stop working and{' '}
                {b.total !== undefined ? money(b.total) : 'the amount paid'} is refunded.
              </>
            }
            onConfirm={() => void cancel()}
          />
        )}
        {transferred && <p class="muted">Some tickets of this booking were transferred, so it cannot be cancelled.</p>}
      </div>
      {note && <p role="status">{note}</p>}
    </li>
  );
}
