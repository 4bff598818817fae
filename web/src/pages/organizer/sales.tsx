import type { EventSales } from '../../../../shared/contracts/organizer';
import { money, when } from '../../lib/format';

/** One event's sales: a bar of sold / held / available, orders and revenue. */
export function SalesCard({ ev }: { ev: EventSales }) {
  const pct = (n: number) => (ev.capacity ? (n / ev.capacity) * 100 : 0);
  return (
    <li class="card org-sales">
      <h3>
        <a href={`#/events/${ev.event_id}`}>{ev.name}</a>{' '}
        {ev.status === 'cancelled' && <span class="state state-paused">cancelled</span>}
      </h3>
      <p class="muted">
        {when(ev.starts_at)} · on sale {when(ev.on_sale_at)} · {ev.kind === 'reserved' ? 'seated' : 'general admission'}
      </p>
      <div
        class="org-bar"
        role="img"
        aria-label={`${ev.sold} sold, ${ev.held} held, ${ev.available} available of ${ev.capacity}`}
      >
        <span class="sold" style={{ width: `${pct(ev.sold)}%` }} />
        <span class="held" style={{ width: `${pct(ev.held)}%` }} />
      </div>
      <dl class="org-figures">
        <div>
          <dt>Sold</dt>
          <dd>{ev.sold}</dd>
        </div>
        <div>
          <dt>Held</dt>
          <dd>{ev.held}</dd>
        </div>
        <div>
          <dt>Available</dt>
          <dd>{ev.available}</dd>
        </div>
        <div>
          <dt>Waiting</dt>
          <dd>{ev.queued}</dd>
        </div>
        <div>
          <dt>Orders</dt>
          <dd>{ev.orders}</dd>
        </div>
        <div>
          <dt>Revenue</dt>
          <dd>{money(ev.revenue_cents / 100)}</dd>
        </div>
      </dl>
    </li>
  );
}
