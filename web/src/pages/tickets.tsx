import { render as mount } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConfirmButton } from '../components/confirm-button';
import { seatName } from '../lib/booking-types';
import { when } from '../lib/format';
import type { PageContext } from '../lib/page';
import { until } from '../lib/until';

export interface Ticket {
  ticket_id: string;
  event_id: string;
  event_name: string;
  starts_at: string;
  booking_id: string;
  seat_id?: string;
  unit?: number;
  status: string;
  issued_at: string;
  owned_since: string;
}

export function render(el: HTMLElement, ctx: PageContext) {
  if (!ctx.session.token) {
    ctx.navigate(`#/signin?next=${encodeURIComponent('#/tickets')}`);
    return;
  }
  mount(<Tickets ctx={ctx} />, el);
  return () => mount(null, el);
}

function Tickets({ ctx }: { ctx: PageContext }) {
  const [items, setItems] = useState<Ticket[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    ctx.api<{ items: Ticket[] }>('GET', '/v1/me/tickets?limit=50').then(
      (p) => setItems(p.items),
      (e: unknown) => setError((e as Error).message),
    );
  useEffect(() => void load(), []);
  return (
    <section>
      <h1>My tickets</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {items?.length === 0 && <p>No tickets yet.</p>}
      {items && items.length > 0 && (
        <ul class="results tickets">
          {items.map((t) => (
            <TicketCard key={t.ticket_id} ctx={ctx} t={t} onChanged={() => void load()} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TicketCard({ ctx, t, onChanged }: { ctx: PageContext; t: Ticket; onChanged: () => void }) {
  const [qr, setQr] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const received = t.owned_since !== t.issued_at;
  useEffect(() => {
    let url: string | null = null;
    // The QR image needs the bearer token, so it is fetched rather than linked.
    void fetch(`/v1/tickets/${t.ticket_id}/qr.svg`, { headers: { authorization: `Bearer ${ctx.session.token ?? ''}` } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => b && setQr((url = URL.createObjectURL(b))));
    return () => url && URL.revokeObjectURL(url);
  }, [t.ticket_id, t.owned_since]);
  const transfer = async () => {
    setBusy(true);
    try {
      await ctx.api('POST', `/v1/tickets/${t.ticket_id}/transfer`, { email });
      setNote(`Transferring to ${email}…`);
      await until(async () =>
        (await ctx.api<{ items: Ticket[] }>('GET', '/v1/me/tickets?limit=100')).items.every(
          (x) => x.ticket_id !== t.ticket_id,
        ),
      );
      ctx.announce(`Ticket transferred to ${email}.`);
      onChanged();
    } catch (e) {
      setNote((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <li class="card ticket" data-ticket={t.ticket_id}>
      {qr ? (
        <img
          src={qr}
          alt={`QR code of the ticket for ${t.event_name}, ${t.seat_id ? seatName(t.seat_id) : `admission ${t.unit}`}`}
          width={140}
          height={140}
        />
      ) : (
        <div class="qr-placeholder" aria-hidden="true" />
      )}
      <div class="ticket-body">
        <h2>{t.event_name}</h2>
        <p>{when(t.starts_at)}</p>
        <p>{t.seat_id ? seatName(t.seat_id) : `General admission #${t.unit}`}</p>
        <p class="muted">
          {t.status === 'valid' ? 'Valid' : t.status}
          {received ? ' · received by transfer' : ''}
        </p>
        {t.status === 'valid' && (
          <form class="transfer" onSubmit={(e) => e.preventDefault()}>
            <label>
              Transfer to (e-mail){' '}
              <input type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required />
            </label>
            {email.includes('@') && (
              <ConfirmButton
                label="Transfer"
                busy={busy}
                yes="Yes, transfer"
                question={
                  <>Give this ticket to {email}? It leaves your account, and its current QR code stops working.</>
                }
                onConfirm={() => void transfer()}
              />
            )}
          </form>
        )}
        {note && <p role="status">{note}</p>}
      </div>
    </li>
  );
}
