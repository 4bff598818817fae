import { render as mount } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { duration, useSecondsUntil } from '../components/countdown';
import { Waitlist } from '../components/waitlist';
import { GeneralAdmission } from '../components/general-admission';
import { Reserved } from '../components/reserved-seats';
import type { EventPage } from '../lib/event-types';
import { when } from '../lib/format';
import type { PageContext } from '../lib/page';

export function render(el: HTMLElement, ctx: PageContext) {
  mount(<EventView ctx={ctx} id={ctx.params.id!} />, el);
  return () => mount(null, el);
}

function statusBadge(ev: EventPage): string {
  if (ev.status === 'cancelled') return 'Cancelled';
  if (ev.status === 'sold_out') return 'Sold out';
  if (ev.status === 'on_sale') return 'On sale';
  return ev.on_sale.queue_open ? 'Queue open' : 'Not on sale yet';
}

function EventView({ ctx, id }: { ctx: PageContext; id: string }) {
  const [ev, setEv] = useState<EventPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    const load = () =>
      ctx.api<EventPage>('GET', `/v1/events/${id}`).then(
        (e) => {
          if (stop) return;
          setEv(e);
          // Just created: the partition is still creating the seats.
          if (!e.inventory_ready && !e.cancelled) setTimeout(() => void load(), 1000);
        },
        (e: unknown) => {
          if (!stop) setError((e as Error).message);
        },
      );
    void load();
    return () => (stop = true);
  }, [id]);
  if (error)
    return (
      <>
        <h1>Event</h1>
        <p class="error" role="alert">
          {error}
        </p>
      </>
    );
  if (!ev)
    return (
      <>
        <h1>Loading the event…</h1>
      </>
    );
  const closed = ev.status === 'cancelled' || ev.status === 'sold_out';
  return (
    <section class="event">
      <h1>{ev.name}</h1>
      <p class="meta">
        {when(ev.starts_at)}
        {ev.venue ? ` · ${ev.venue.name}, ${ev.venue.city}` : ''}{' '}
        <span class={`badge ${ev.status}`}>{statusBadge(ev)}</span>
      </p>
      {ev.description && <p class="muted">{ev.description}</p>}
      {ev.status === 'cancelled' && (
        <p class="notice" role="status">
          This event was cancelled. Every order is refunded; nothing can be booked.
        </p>
      )}
      {ev.status === 'sold_out' && (
        <p class="notice" role="status">
          Sold out. Seats released by other buyers appear on the map live.
        </p>
      )}
      {ev.status === 'sold_out' && <Waitlist ctx={ctx} ev={ev} />}
      {!closed && !ev.on_sale.open && <OnSaleCountdown ev={ev} />}
      <p class="limits">
        Up to {ev.max_per_user} tickets per person. Seats are held for {Math.round(ev.hold_seconds / 60)} minutes while
        you pay.
      </p>
      {!ev.inventory_ready && !ev.cancelled ? (
        <p class="notice">Preparing the seats…</p>
      ) : ev.kind === 'general_admission' ? (
        <GeneralAdmission ctx={ctx} ev={ev} closed={closed} />
      ) : (
        <Reserved ctx={ctx} ev={ev} closed={ev.status === 'cancelled'} />
      )}
    </section>
  );
}

/** Before the on-sale: when it opens, and what happens then. */
function OnSaleCountdown({ ev }: { ev: EventPage }) {
  const toQueue = useSecondsUntil(ev.on_sale.queue_opens_at);
  const toSale = useSecondsUntil(ev.on_sale.at);
  return (
    <div class="card countdown" role="timer" aria-live="off">
      <h2>On sale in {duration(toSale)}</h2>
      {ev.on_sale.queue_open || toQueue === 0 ? (
        <p>
          The queue is open: choose your seats and join it now. At {when(ev.on_sale.at)} requests are decided in the
          order they arrived, and you see your place live.
        </p>
      ) : (
        <p>
          The queue opens at {when(ev.on_sale.queue_opens_at)} (in {duration(toQueue)}). Everyone who joins before{' '}
          {when(ev.on_sale.at)} is served in order of arrival from that moment; keep the page open, it updates by
          itself.
        </p>
      )}
    </div>
  );
}
