import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { AppError } from '../../shared/errors';
import { fromCents } from '../../shared/money';
import { ticketView, type TicketRow } from './tickets';
import type { BookingStatus } from '../../shared/contracts/messages';

interface MyBookingRow {
  id: string;
  event_id: string;
  event_name: string | null;
  status: BookingStatus;
  seat_ids: string[] | null;
  quantity: number | null;
  amount_cents: number;
  fees_cents: number | null;
  total_cents: number | null;
  reason: string | null;
  hold_expires_at: Date | null;
  requested_at: Date;
  decided_at: Date | null;
}

/** Keyset cursor: the (timestamp, id) of the last row of a page, opaque to clients. */
function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([new Date(at).toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      !Number.isNaN(Date.parse(v[0])) &&
      typeof v[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(v[1])
    )
      return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new AppError('invalid_cursor');
}

/**
 * The caller's history, newest first, keyset-paged (`?limit=&cursor=`, `next_cursor` while there is more):
 * `GET /v1/me/bookings` (every decided or parked booking) and `GET /v1/me/tickets` (tickets the caller
 * owns now, valid or void, newest ownership first).
 */
export function meHistoryRouter(ctx: IngressContext) {
  const r = express.Router();

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.myBookings, async (req: Request, res: Response, { query: q }) => {
    const { user_id } = principalOf(req);
    const after = decodeCursor(q.cursor);
    const { rows } = await ctx.pool.query<MyBookingRow>({
      name: 'me-bookings',
      text: `SELECT b.id, b.event_id, e.name AS event_name, b.status, b.seat_ids, b.quantity, b.amount_cents, b.fees_cents, b.total_cents,
                    b.reason, b.hold_expires_at, b.requested_at, b.decided_at
             FROM bookings b LEFT JOIN events e ON e.id = b.event_id
             WHERE b.user_id = $1 AND ($2::timestamptz IS NULL OR (b.requested_at, b.id) < ($2::timestamptz, $3::uuid))
             ORDER BY b.requested_at DESC, b.id DESC LIMIT $4`,
      values: [user_id, after?.[0] ?? null, after?.[1] ?? null, q.limit + 1],
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map((b) => ({
        booking_id: b.id,
        event_id: b.event_id,
        event_name: b.event_name,
        status: b.status,
        ...(b.seat_ids?.length ? { seats: b.seat_ids } : {}),
        ...(b.quantity
          ? { quantity: b.quantity, amount_cents: b.amount_cents, amount: fromCents(b.amount_cents) }
          : {}),
        ...(b.total_cents !== null
          ? { fees_cents: b.fees_cents, total_cents: b.total_cents, total: fromCents(b.total_cents) }
          : {}),
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.hold_expires_at ? { hold_expires_at: new Date(b.hold_expires_at).toISOString() } : {}),
        requested_at: new Date(b.requested_at).toISOString(),
        ...(b.decided_at ? { decided_at: new Date(b.decided_at).toISOString() } : {}),
      })),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last.requested_at, last.id) : null,
    });
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.myTickets, async (req: Request, res: Response, { query: q }) => {
    const { user_id } = principalOf(req);
    const after = decodeCursor(q.cursor);
    const { rows } = await ctx.pool.query<Omit<TicketRow, 'organizer_id'>>({
      name: 'me-tickets',
      text: `SELECT t.id, t.order_id, t.booking_id, t.event_id, e.name AS event_name, e.starts_at, t.seat_id, t.unit, t.owner_user_id,
                    t.version, t.status, t.barcode, t.issued_at, t.owned_since
             FROM tickets t JOIN events e ON e.id = t.event_id
             WHERE t.owner_user_id = $1 AND ($2::timestamptz IS NULL OR (t.owned_since, t.id) < ($2::timestamptz, $3::uuid))
             ORDER BY t.owned_since DESC, t.id DESC LIMIT $4`,
      values: [user_id, after?.[0] ?? null, after?.[1] ?? null, q.limit + 1],
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(ticketView),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last.owned_since, last.id) : null,
    });
  });

  return r;
}
