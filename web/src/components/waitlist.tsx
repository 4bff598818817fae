import { useEffect, useState } from 'preact/hooks';
import type { WaitlistOfferPush } from '../../../shared/contracts/socket';
import type { EventPage } from '../lib/event-types';
import { when } from '../lib/format';
import type { PageContext } from '../lib/page';

interface MyEntry {
  waitlist_id: string;
  event_id: string;
  status: 'waiting' | 'offered' | 'left';
  position: number | null;
  offer_booking_id: string | null;
}

/**
 * The waitlist of a sold-out event (issue 12): join, leave, the place while waiting, and the
 * offer banner when a `waitlist.offer` push (or the entry itself) says a hold was made for the buyer.
 */
export function Waitlist({ ctx, ev }: { ctx: PageContext; ev: EventPage }) {
  const [entry, setEntry] = useState<MyEntry | null>(null);
  const [offer, setOffer] = useState<{ booking_id: string; hold_expires_at?: string | null } | null>(null);
  const [qty, setQty] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signedIn = Boolean(ctx.session.token);
  const load = () =>
    ctx.api<{ items: MyEntry[] }>('GET', '/v1/me/waitlist').then((r) => {
      const mine = r.items.find((i) => i.event_id === ev.id && i.status !== 'left') ?? null;
      setEntry(mine);
      if (mine?.status === 'offered' && mine.offer_booking_id)
        setOffer((o) => o ?? { booking_id: mine.offer_booking_id! });
    });
  useEffect(() => {
    if (!signedIn) return;
    void load().catch(() => undefined);
    const onOffer = (o: WaitlistOfferPush) => {
      if (o.event_id !== ev.id) return;
      setOffer({ booking_id: o.booking_id, hold_expires_at: o.hold_expires_at });
      ctx.announce('Tickets were offered to you from the waitlist.');
    };
    const off = ctx.live.onConnect(() => {
      ctx.live.socket?.off('waitlist.offer', onOffer).on('waitlist.offer', onOffer);
      void load().catch(() => undefined);
    });
    return () => (off(), ctx.live.socket?.off('waitlist.offer', onOffer));
  }, [ev.id, signedIn]);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(false);
  };
  if (offer)
    return (
      <div class="card waitlist offer" role="alert">
        <h2>Tickets offered to you</h2>
        <p>
          Tickets were released and held for you from the waitlist
          {offer.hold_expires_at ? ` until ${when(offer.hold_expires_at)}` : ''}.
        </p>
        <a class="button primary" href={`#/bookings/${offer.booking_id}`}>
          Go to checkout
        </a>
      </div>
    );
  return (
    <div class="card waitlist">
      <h2>Waitlist</h2>
      {!signedIn ? (
        <p>
          <a href={`#/signin?next=${encodeURIComponent(`#/events/${ev.id}`)}`}>Sign in</a> to join the waitlist.
        </p>
      ) : entry ? (
        <>
          <p aria-live="polite">
            You are on the waitlist{entry.position ? `, place ${entry.position}` : ''}. If tickets are released you get
            an offer here.
          </p>
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => ctx.api('DELETE', `/v1/events/${ev.id}/waitlist`))}
          >
            Leave the waitlist
          </button>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => ctx.api('POST', `/v1/events/${ev.id}/waitlist`, { quantity: qty }));
          }}
        >
          <label>
            Tickets (1–{ev.max_per_user}){' '}
            <input
              type="number"
              min={1}
              max={ev.max_per_user}
              value={qty}
              onInput={(e) => setQty(Number(e.currentTarget.value))}
              required
            />
          </label>{' '}
          <button disabled={busy || qty < 1}>Join the waitlist</button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
