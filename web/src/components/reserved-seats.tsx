import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { EventUpdatePush } from '../../../shared/contracts/socket';
import { SeatMap, TIER_COLOURS } from './seat-map';
import { clientConfig } from '../lib/client-config';
import type { EventPage } from '../lib/event-types';
import { money } from '../lib/format';
import { timings } from '../lib/metrics';
import type { PageContext } from '../lib/page';
import { AVAILABLE, SeatData, type CompactLayout, type CompactStatus } from '../lib/seat-data';

import { book, errorText, PowProgress, PresaleField } from './booking-steps';

/** The event page's reserved seating: the live seat map, the buyer's picks, a price limit, the booking request. */
export function Reserved({ ctx, ev, closed }: { ctx: PageContext; ev: EventPage; closed: boolean }) {
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
    const onSeats = (c: EventUpdatePush) => {
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
      ctx.live.socket?.off('event.update', onSeats).on('event.update', onSeats);
      ctx.live.socket?.emit('event.watch', { event_id: ev.id }, () => undefined);
      if (d) void refreshStatus(d).catch(() => undefined);
    });
    return () => {
      stop.current = true;
      off();
      ctx.live.socket?.off('event.update', onSeats);
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
