import { render as mount } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EventProgressPush, WatchAck } from '../../../shared/contracts/socket';
import { positionOf } from '../../../shared/contracts/socket';
import { CardForm } from '../components/card-form';
import { duration, useSecondsUntil } from '../components/countdown';
import { seatName, type BookingView } from '../lib/booking-types';
import { clientConfig, feesOf, type ClientConfig } from '../lib/client-config';
import type { EventPage } from '../lib/event-types';
import { money, when } from '../lib/format';
import type { PageContext } from '../lib/page';
import { reasonText } from '../lib/reasons';

/**
 * One booking from request to ticket: the queue room (place, progress, wait, paused or throttled),
 * then the hold with its countdown, the order summary and the card form, then the outcome. The
 * booking id is in the URL, so a reload or a socket reconnect picks up where it was (it re-watches and
 * fetches the booking).
 */
export function render(el: HTMLElement, ctx: PageContext) {
  if (!ctx.session.token) {
    ctx.navigate(`#/signin?next=${encodeURIComponent(location.hash)}`);
    return;
  }
  mount(<BookingPage ctx={ctx} id={ctx.params.id!} />, el);
  return () => mount(null, el);
}

interface Queue {
  seq: number | null;
  progress: EventProgressPush | null;
  position: number | null;
}

const firstKey = (id: string) => `onsale.first-position.${id}`;

function BookingPage({ ctx, id }: { ctx: PageContext; id: string }) {
  const [b, setB] = useState<BookingView | null>(null);
  const [ev, setEv] = useState<EventPage | null>(null);
  const [cfg, setCfg] = useState<ClientConfig | null>(null);
  const [queue, setQueue] = useState<Queue>({ seq: null, progress: null, position: null });
  const [error, setError] = useState<string | null>(null);
  const [paying, setPaying] = useState(false);
  const bRef = useRef<BookingView | null>(null);

  const merge = (next: Partial<BookingView> & { status: BookingView['status'] }) => {
    const prev = bRef.current;
    // Never step back to an older outcome (a slow poll after a push).
    if (prev && prev.decided_at && next.decided_at && next.decided_at < prev.decided_at) return;
    const merged = { ...(prev ?? {}), ...next } as BookingView;
    if (merged.status !== 'held' && merged.status !== 'payment_pending') delete merged.hold_expires_at;
    bRef.current = merged;
    setB(merged);
    if (!prev || prev.status !== merged.status) ctx.announce(statusSentence(merged));
    if (merged.status !== 'payment_pending') setPaying(false);
  };

  const fetchBooking = () =>
    ctx.api<BookingView>('GET', `/v1/bookings/${id}`).then(
      (x) => {
        merge(x);
        if (x.position) setQueue((q) => ({ ...q, position: x.position ?? q.position, seq: x.seq ?? q.seq }));
        if (x.position && !sessionStorage.getItem(firstKey(id)))
          sessionStorage.setItem(firstKey(id), String(x.position));
        return x;
      },
      (e: unknown) => setError((e as Error).message),
    );

  useEffect(() => {
    void clientConfig().then(setCfg);
    void fetchBooking().then(
      (x) => x && ctx.api<EventPage>('GET', `/v1/events/${x.event_id}`).then(setEv, () => undefined),
    );
    const onResult = (r: BookingView) => {
      if (r.booking_id !== id) return;
      merge(r);
      // The draw gave this request its number: the position follows from the event's progress.
      const seq = r.status === 'queued' ? r.seq : null;
      if (typeof seq === 'number')
        setQueue((q) => ({ ...q, seq, position: q.progress ? positionOf(seq, q.progress).position : q.position }));
    };
    const onProgress = (p: EventProgressPush) => {
      if (bRef.current && p.event_id !== bRef.current.event_id) return;
      setQueue((q) => ({ ...q, progress: p, position: q.seq !== null ? positionOf(q.seq, p).position : q.position }));
    };
    // After every (re)connect: watch again and fetch the state (a notifier restart must not freeze the page).
    const off = ctx.live.onConnect(() => {
      const s = ctx.live.socket;
      if (!s) return;
      s.off('booking.result', onResult).on('booking.result', onResult);
      s.off('event.progress', onProgress).on('event.progress', onProgress);
      s.emit('booking.watch', { booking_id: id }, (ack: WatchAck) => {
        if (!ack.ok) return;
        if (ack.status === 'queued') {
          setQueue((q) => ({ ...q, seq: ack.seq ?? null, position: ack.position ?? q.position }));
          // Where the queue stands now (paused, throttled, its rate) comes with the ack.
          if (ack.progress && ack.event_id) onProgress({ event_id: ack.event_id, ...ack.progress });
          if (ack.position && !sessionStorage.getItem(firstKey(id)))
            sessionStorage.setItem(firstKey(id), String(ack.position));
        }
      });
      void fetchBooking();
    });
    // Without a live connection the page still moves: it polls.
    const poll = setInterval(() => {
      const st = bRef.current?.status;
      if (ctx.live.state !== 'live' && (st === 'queued' || st === 'payment_pending' || st === 'held'))
        void fetchBooking();
    }, 3000);
    return () => {
      off();
      clearInterval(poll);
      ctx.live.socket?.off('booking.result', onResult);
      ctx.live.socket?.off('event.progress', onProgress);
      ctx.live.socket?.emit('booking.unwatch', { booking_id: id });
    };
  }, [id]);

  const pay = async (method: string) => {
    setPaying(true);
    setError(null);
    try {
      await ctx.api('POST', `/v1/bookings/${id}/checkout`, { payment_method: method });
      merge({ status: 'payment_pending' });
    } catch (e) {
      setError((e as Error).message);
      setPaying(false);
    }
  };
  const release = async () => {
    if (!confirm('Release these seats? Someone else can then book them.')) return;
    try {
      await ctx.api('DELETE', `/v1/bookings/${id}`);
      ctx.announce('Releasing your seats…');
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!b)
    return (
      <>
        <h1>Your booking</h1>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </>
    );
  return (
    <section class="booking">
      <h1>{ev ? ev.name : 'Your booking'}</h1>
      {ev && (
        <p class="meta">
          {when(ev.starts_at)}
          {ev.venue ? ` · ${ev.venue.name}, ${ev.venue.city}` : ''}
        </p>
      )}
      {b.status === 'queued' && <QueueRoom queue={queue} id={id} />}
      {(b.status === 'held' || b.status === 'payment_pending') && cfg && (
        <Checkout
          b={b}
          cfg={cfg}
          paying={paying || b.status === 'payment_pending'}
          onPay={(m) => void pay(m)}
          onRelease={() => void release()}
        />
      )}
      {b.status === 'confirmed' && (
        <div class="card outcome ok">
          <h2>Confirmed. Enjoy the show!</h2>
          <p>{what(b)}. Your tickets and their QR codes are ready; a confirmation e-mail is on its way.</p>
          <p>
            <a class="button" href="#/tickets">
              See your tickets
            </a>
          </p>
        </div>
      )}
      {(b.status === 'rejected' ||
        b.status === 'expired' ||
        b.status === 'cancelled' ||
        b.status === 'refunded' ||
        b.status === 'failed') && (
        <div class="card outcome bad">
          <h2>{headline(b)}</h2>
          <p>{reasonText(b.reason) || statusSentence(b)}</p>
          <p>
            <a class="button" href={`#/events/${b.event_id}`}>
              {b.status === 'refunded' ? 'Back to the event' : 'Pick seats again'}
            </a>
          </p>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

const what = (b: BookingView) =>
  b.seats?.length
    ? b.seats.map(seatName).join('; ')
    : b.quantity
      ? `${b.quantity} ticket${b.quantity === 1 ? '' : 's'}`
      : 'Your order';
const headline = (b: BookingView) =>
  ({
    rejected: 'Not booked',
    expired: 'Your hold expired',
    cancelled: 'Cancelled',
    refunded: 'Refunded',
    failed: 'Something went wrong',
  })[b.status as string] ?? b.status;

function statusSentence(b: BookingView): string {
  switch (b.status) {
    case 'queued':
      return 'You are in the queue.';
    case 'held':
      return b.reason === 'payment_declined'
        ? 'Your card was declined; the seats are still held for you.'
        : 'Your seats are held. Pay before the timer runs out.';
    case 'payment_pending':
      return 'Paying…';
    case 'confirmed':
      return 'Confirmed.';
    default:
      return `${headline(b)}. ${reasonText(b.reason)}`;
  }
}

/** The queue room: place, progress, wait, paused or throttled state. */
function QueueRoom({ queue, id }: { queue: Queue; id: string }) {
  const first = Number(sessionStorage.getItem(firstKey(id)) ?? 0) || queue.position || 1;
  const pos = queue.position;
  const p = queue.progress;
  const eta = pos !== null && p && p.rate_per_s > 0 ? Math.ceil(pos / p.rate_per_s) : null;
  const done = pos !== null ? Math.min(1, Math.max(0, (first - pos) / Math.max(1, first))) : 0;
  // Hook for the fair on-sale (draw): before the draw a request has no seq and no position yet.
  const waitingRoom = queue.seq === null && pos === null;
  return (
    <div class="card queue-room" aria-busy="true">
      <h2>You are in the queue</h2>
      {waitingRoom ? (
        <DrawRoom drawAt={sessionStorage.getItem(`onsale.draw-at.${id}`)} />
      ) : (
        <>
          <p class="position">
            Your place: <strong>{pos ?? '…'}</strong>
            {pos === 1 ? ' (you are next)' : ''}
          </p>
          <progress max={100} value={Math.round(done * 100)} aria-label="Progress through the queue">
            {Math.round(done * 100)}%
          </progress>
          <p>
            {p?.paused
              ? 'The sale is paused by the organizer for a moment. You keep your place.'
              : eta === null
                ? 'Estimating your wait…'
                : eta < 60
                  ? 'Less than a minute to go.'
                  : `About ${Math.ceil(eta / 60)} minute${Math.ceil(eta / 60) === 1 ? '' : 's'} to go.`}
          </p>
          {p && !p.paused && p.throttle_per_s !== null && (
            <p class="notice">
              The queue moves slower than usual right now (at most {p.throttle_per_s} requests a second).
            </p>
          )}
        </>
      )}
      <p class="keep-open">
        <strong>Keep this page open.</strong> If you reload or lose the connection you keep your place; the page catches
        up by itself.
      </p>
    </div>
  );
}

/** The drawn waiting room (fair on-sale): no place yet; the order is drawn at the on-sale time. */
function DrawRoom({ drawAt }: { drawAt: string | null }) {
  const left = useSecondsUntil(drawAt ?? undefined);
  if (!drawAt)
    return <p>You are in the waiting room. Places are given out when the sale opens; this page updates by itself.</p>;
  const hhmm = new Date(drawAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return (
    <div class="draw" role="timer" aria-live="off">
      <p>The order is drawn at {hhmm}; everyone who joins before then has the same chance.</p>
      <p>{left > 0 ? `Drawn in ${duration(left)}.` : 'Drawing the order…'}</p>
    </div>
  );
}

function Checkout({
  b,
  cfg,
  paying,
  onPay,
  onRelease,
}: {
  b: BookingView;
  cfg: ClientConfig;
  paying: boolean;
  onPay: (m: string) => void;
  onRelease: () => void;
}) {
  const left = useSecondsUntil(b.hold_expires_at);
  const tickets = b.seats?.length ?? b.quantity ?? 0;
  const amount = b.amount_cents ?? 0;
  const { feesCents, totalCents } = feesOf(amount, tickets, cfg);
  return (
    <div class="checkout">
      <div class="card hold" role="timer" aria-live="off">
        <h2>
          Held for you: <span class={left < 60 ? 'urgent' : ''}>{duration(left)}</span> left to pay
        </h2>
        {b.reason === 'payment_declined' && (
          <p class="error" role="alert">
            {reasonText('payment_declined')} The seats stay held until the timer ends.
          </p>
        )}
        {b.reason === 'payment_unavailable' && (
          <p class="error" role="alert">
            {reasonText('payment_unavailable')}
          </p>
        )}
      </div>
      <div class="card summary">
        <h2>Order summary</h2>
        <table>
          <tbody>
            {b.seats?.length ? (
              b.seats.map((s) => (
                <tr key={s}>
                  <th scope="row">{seatName(s)}</th>
                  <td />
                </tr>
              ))
            ) : (
              <tr>
                <th scope="row">{tickets} × general admission</th>
                <td />
              </tr>
            )}
            <tr>
              <th scope="row">Tickets ({tickets})</th>
              <td>{money(amount / 100)}</td>
            </tr>
            <tr>
              <th scope="row">
                Fees ({cfg.fee_percent}% + {money(cfg.fee_fixed_cents / 100)} per ticket)
              </th>
              <td>{money(feesCents / 100)}</td>
            </tr>
            <tr class="total">
              <th scope="row">Total</th>
              <td>{money(totalCents / 100)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <div class="card pay">
        <h2>Pay by card</h2>
        {left === 0 ? (
          <p class="notice">The hold is ending…</p>
        ) : (
          <CardForm busy={paying} amountText={money(totalCents / 100)} onPay={onPay} />
        )}
        <button type="button" class="secondary" onClick={onRelease} disabled={paying}>
          Release the seats
        </button>
      </div>
    </div>
  );
}
