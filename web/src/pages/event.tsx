import { render as mount } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import type { bookingAcceptedSchema, BookingBody } from '../../../shared/contracts/http';
import type { SeatsChanged } from '../../../shared/contracts/messages';
import { duration, useSecondsUntil } from '../components/countdown';
import { SeatMap, TIER_COLOURS } from '../components/seat-map';
import { Waitlist } from '../components/waitlist';
import { ApiError } from '../lib/api';
import { reasonText } from '../lib/reasons';
import { clientConfig } from '../lib/client-config';
import type { EventPage } from '../lib/event-types';
import { money, when } from '../lib/format';
import { timings } from '../lib/metrics';
import { solveProof } from '../lib/pow';
import type { PageContext } from '../lib/page';
import { AVAILABLE, SeatData, type CompactLayout, type CompactStatus } from '../lib/seat-data';

type BookingAccepted = z.infer<typeof bookingAcceptedSchema>;

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

/** Books, first solving the event's proof of work (if it asks for one) and adding the presale code (if typed). */
async function book(
  ctx: PageContext,
  body: BookingBody,
  presaleCode: string,
  onProgress: (share: number) => void,
): Promise<void> {
  const proof = await solveProof(ctx.api, body.event_id, onProgress);
  if (proof) body = { ...body, proof };
  if (presaleCode.trim()) body = { ...body, presale_code: presaleCode.trim() };
  const answer = await ctx.api<BookingAccepted>('POST', '/v1/bookings', body);
  if (answer.queue === 'waiting_room' && answer.draw_at)
    sessionStorage.setItem(`onsale.draw-at.${answer.booking_id}`, answer.draw_at);
  if (answer.position) sessionStorage.setItem(`onsale.first-position.${answer.booking_id}`, String(answer.position));
  ctx.navigate(`#/bookings/${answer.booking_id}`);
}

/** The proof-of-work progress while the worker solves it. */
function PowProgress({ share }: { share: number | null }) {
  if (share === null) return null;
  return (
    <p class="pow" role="status">
      Checking that you are not a bot…{' '}
      <progress max={100} value={Math.round(share * 100)} aria-label="Anti-bot check progress">
        {Math.round(share * 100)}%
      </progress>
    </p>
  );
}

/** The presale code field, before the general on-sale (a presale window may be open). */
function PresaleField({ ev, code, setCode }: { ev: EventPage; code: string; setCode: (c: string) => void }) {
  if (ev.on_sale.open || ev.status === 'cancelled') return null;
  return (
    <p class="presale">
      <label>
        Presale code (if you have one){' '}
        <input
          name="presale_code"
          maxLength={64}
          autoComplete="off"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
    </p>
  );
}

/** An error a buyer can act on: the registry's friendly text, or the presale reasons in words. */
const errorText = (err: unknown) =>
  err instanceof ApiError ? (err.code.startsWith('presale_') ? reasonText(err.code) : err.message) : String(err);

function GeneralAdmission({ ctx, ev, closed }: { ctx: PageContext; ev: EventPage; closed: boolean }) {
  const [qty, setQty] = useState(2);
  const [code, setCode] = useState('');
  const [pow, setPow] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [available, setAvailable] = useState(ev.availability.available);
  const [limit, setLimit] = useState(ev.max_per_user);
  useEffect(() => void clientConfig().then((c) => setLimit(Math.min(ev.max_per_user, c.max_per_request))), []);
  useEffect(() => {
    const onSeats = (c: SeatsChanged) => c.event_id === ev.id && c.available !== undefined && setAvailable(c.available);
    const off = ctx.live.onConnect(() => {
      ctx.live.socket?.off('seats.changed', onSeats).on('seats.changed', onSeats);
      ctx.live.socket?.emit('event.watch', { event_id: ev.id }, () => undefined);
      void ctx.api<EventPage>('GET', `/v1/events/${ev.id}`).then(
        (e) => setAvailable(e.availability.available),
        () => undefined,
      );
    });
    return () => (
      off(),
      ctx.live.socket?.off('seats.changed', onSeats),
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

function Reserved({ ctx, ev, closed }: { ctx: PageContext; ev: EventPage; closed: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const [data, setData] = useState<SeatData | null>(null);
  const [, setTick] = useState(0);
  const picked = useRef(new Set<number>());
  const [maxPrice, setMaxPrice] = useState<number | null>(null);
  const [code, setCode] = useState('');
  const [pow, setPow] = useState<number | null>(null);
  const maxPriceRef = useRef<number | null>(null);
  const mapRef = useRef<SeatMap | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [limit, setLimit] = useState(ev.max_per_user);
  useEffect(() => void clientConfig().then((c) => setLimit(Math.min(ev.max_per_user, c.max_per_request))), []);

  const refreshStatus = async (d: SeatData) => {
    const st = await ctx.api<CompactStatus>('GET', `/v1/events/${ev.id}/seat-status`);
    if (st.version !== d.version) return false;
    d.setAll(st.status);
    dropTaken(d, [...picked.current]);
    mapRef.current?.refresh();
    setTick((t) => t + 1);
    return true;
  };
  /** A picked seat someone else took is dropped from the selection, and the buyer is told (never swapped silently). */
  const dropTaken = (d: SeatData, indexes: number[]) => {
    const lost = indexes.filter((i) => picked.current.has(i) && d.status[i] !== AVAILABLE);
    if (!lost.length) return;
    for (const i of lost) picked.current.delete(i);
    mapRef.current?.update(lost);
    tellTaken(d, lost);
  };
  const tellTaken = (d: SeatData, lost: number[]) => {
    const names = lost.map((i) => `${d.sections[d.section[i]!]!.name} row ${d.row[i]} seat ${d.number[i]}`).join(', ');
    const text = `Just taken by someone else: ${names}. It was removed from your selection.`;
    setNotice(text);
    ctx.announce(text);
  };

  useEffect(() => {
    // An object, not a `let`: the cleanup sets it while the loading closure awaits.
    const stop = { current: false };
    let d: SeatData | null = null;
    const onSeats = (c: SeatsChanged) => {
      if (!d || c.event_id !== ev.id || !c.seats) return;
      const t0 = performance.now();
      const changed = d.apply(c.seats);
      const lost = changed.filter((i) => picked.current.has(i));
      for (const i of lost) picked.current.delete(i);
      mapRef.current?.update(changed);
      timings().bursts.push({ seats: c.seats.length, ms: performance.now() - t0 });
      if (lost.length) tellTaken(d, lost);
      setTick((t) => t + 1);
    };
    (async () => {
      const [layout, status] = await Promise.all([
        ctx.api<CompactLayout>('GET', `/v1/events/${ev.id}/seat-layout`),
        ctx.api<CompactStatus>('GET', `/v1/events/${ev.id}/seat-status`),
      ]);
      if (stop.current) return;
      const t0 = performance.now();
      d = new SeatData(layout);
      if (status.version === layout.version) d.setAll(status.status);
      const map = new SeatMap(d, {
        isPicked: (i) => picked.current.has(i),
        maxPriceCents: () => maxPriceRef.current,
        announce: (text) => ctx.announce(text),
        onToggle: (i) => {
          if (closed) return;
          if (picked.current.has(i)) picked.current.delete(i);
          else if (d!.status[i] !== AVAILABLE) return;
          else if (picked.current.size >= limitRef.current) {
            setNotice(`You can pick at most ${limitRef.current} seats.`);
            ctx.announce(`You can pick at most ${limitRef.current} seats.`);
            return;
          } else picked.current.add(i);
          map.update([i]);
          setTick((t) => t + 1);
        },
      });
      mapRef.current = map;
      host.current!.replaceChildren(map.root);
      map.refresh();
      const m = timings();
      m.mapReadyMs = performance.now() - t0;
      m.seatCount = d.count;
      setData(d);
      if (status.version !== layout.version) await refreshStatus(d);
    })().catch((e: unknown) => {
      if (!stop.current) setError((e as Error).message);
    });
    // Live changes; after every (re)connect: watch again and refetch what was missed meanwhile.
    const off = ctx.live.onConnect(() => {
      ctx.live.socket?.off('seats.changed', onSeats).on('seats.changed', onSeats);
      ctx.live.socket?.emit('event.watch', { event_id: ev.id }, () => undefined);
      if (d) void refreshStatus(d).catch(() => undefined);
    });
    return () => {
      stop.current = true;
      off();
      ctx.live.socket?.off('seats.changed', onSeats);
      ctx.live.socket?.emit('event.unwatch', { event_id: ev.id });
    };
  }, [ev.id]);
  const limitRef = useRef(limit);
  limitRef.current = limit;

  const tiers = useMemo(() => {
    const list = ev.price_tiers ?? [];
    return data
      ? data.tiers.map((name, i) => ({
          name,
          colour: TIER_COLOURS[i % TIER_COLOURS.length]!,
          price: data.sections.find((s) => s.tier === i)?.minPriceCents ?? 0,
        }))
      : list.map((t, i) => ({ name: t.name, colour: TIER_COLOURS[i % TIER_COLOURS.length]!, price: t.price * 100 }));
  }, [data]);
  const prices = [...new Set(tiers.map((t) => t.price))].sort((a, b) => a - b);

  const chosen = data ? [...picked.current] : [];
  const total = data ? chosen.reduce((t, i) => t + data.price[i]!, 0) : 0;
  const submit = async () => {
    if (!data || !chosen.length) return;
    if (!ctx.session.token) {
      ctx.navigate(`#/signin?next=${encodeURIComponent(`#/events/${ev.id}`)}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const seatIds = chosen.map((i) => data.id(i));
      await book(ctx, { event_id: ev.id, seat_ids: seatIds, accept_alternatives: false }, code, setPow);
      picked.current.clear();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
    setPow(null);
  };

  return (
    <div class="reserved">
      <p class="availability" aria-live="polite">
        {data
          ? `${data.available.toLocaleString('en')} of ${data.count.toLocaleString('en')} seats available`
          : `${ev.availability.available.toLocaleString('en')} of ${ev.capacity.toLocaleString('en')} seats available`}
      </p>
      <div class="legend" aria-label="Legend">
        <ul>
          {tiers.map((t) => (
            <li key={t.name}>
              <span class="swatch" style={{ background: t.colour }} aria-hidden="true" /> {t.name.replaceAll('_', ' ')}{' '}
              · {money(t.price / 100)}
            </li>
          ))}
          <li>
            <span class="shape available" aria-hidden="true">
              ●
            </span>{' '}
            available
          </li>
          <li>
            <span class="shape held" aria-hidden="true">
              ○
            </span>{' '}
            held
          </li>
          <li>
            <span class="shape sold" aria-hidden="true">
              ✕
            </span>{' '}
            sold
          </li>
          <li>
            <span class="shape picked" aria-hidden="true">
              ■
            </span>{' '}
            your pick
          </li>
        </ul>
        <label>
          Price up to{' '}
          <select
            value={maxPrice === null ? '' : String(maxPrice)}
            onChange={(e) => {
              const v = e.currentTarget.value;
              maxPriceRef.current = v === '' ? null : Number(v);
              setMaxPrice(maxPriceRef.current);
              mapRef.current?.refresh();
            }}
          >
            <option value="">any price</option>
            {prices.map((p) => (
              <option key={p} value={String(p)}>
                {money(p / 100)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <a class="skip-link-inline" href="#selection">
        Skip the seat map to your selection
      </a>
      <div ref={host} class="map-host">
        <p>Loading the seat map…</p>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div id="selection" class="card selection" tabindex={-1}>
        <h2>Your selection</h2>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {chosen.length === 0 ? (
          <p>No seats picked yet. Open a section and choose up to {limit} seats.</p>
        ) : (
          <ul class="picked">
            {chosen.map((i) => (
              <li key={i}>
                {data!.sections[data!.section[i]!]!.name}, row {data!.row[i]}, seat {data!.number[i]} ·{' '}
                {money(data!.price[i]! / 100)}{' '}
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove ${data!.sections[data!.section[i]!]!.name} row ${data!.row[i]} seat ${data!.number[i]}`}
                  onClick={() => {
                    picked.current.delete(i);
                    mapRef.current?.update([i]);
                    setTick((t) => t + 1);
                  }}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <p>
          {chosen.length} of {limit} seats · {money(total / 100)} before fees
        </p>
        <PresaleField ev={ev} code={code} setCode={setCode} />
        <button
          type="button"
          class="primary"
          disabled={busy || closed || chosen.length === 0}
          onClick={() => void submit()}
        >
          {busy
            ? 'Sending…'
            : `Request ${chosen.length || ''} seat${chosen.length === 1 ? '' : 's'}`.replace('  ', ' ')}
        </button>
        <PowProgress share={pow} />
      </div>
    </div>
  );
}
