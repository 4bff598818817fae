import express, { type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { ticketKeys, verifyBarcode } from '../../shared/tickets/barcode';
import { eventPartition } from '../read-model/event-partition';
import { findUserByEmail } from '../../shared/sql/users';

export interface TicketRow {
  id: string;
  order_id: string;
  booking_id: string;
  event_id: string;
  event_name: string;
  organizer_id: string;
  starts_at: Date;
  seat_id: string | null;
  unit: number | null;
  owner_user_id: string;
  version: number;
  status: 'valid' | 'void';
  barcode: string;
  issued_at: Date;
  owned_since: Date;
}

export function ticketView(t: Omit<TicketRow, 'organizer_id'>) {
  return {
    ticket_id: t.id,
    event_id: t.event_id,
    event_name: t.event_name,
    starts_at: new Date(t.starts_at).toISOString(),
    booking_id: t.booking_id,
    order_id: t.order_id,
    ...(t.seat_id ? { seat_id: t.seat_id } : { unit: t.unit }),
    status: t.status,
    version: t.version,
    barcode: t.barcode,
    qr: `/v1/tickets/${t.id}/qr.svg`,
    issued_at: new Date(t.issued_at).toISOString(),
    owned_since: new Date(t.owned_since).toISOString(),
  };
}

async function getTicket(ctx: IngressContext, id: string): Promise<TicketRow | null> {
  const { rows } = await ctx.pool.query<TicketRow>({
    name: 'get-ticket',
    text: `SELECT t.id, t.order_id, t.booking_id, t.event_id, e.name AS event_name, e.organizer_id, e.starts_at, t.seat_id, t.unit, t.owner_user_id,
                  t.version, t.status, t.barcode, t.issued_at, t.owned_since
           FROM tickets t JOIN events e ON e.id = t.event_id WHERE t.id = $1`,
    values: [id],
  });
  return rows[0] ?? null;
}

/**
 * Tickets: the owner reads a ticket and its QR code and transfers it by e-mail; scanners verify
 * barcodes offline with the public key, or online (signature + current version + status).
 */
export function ticketsRouter(ctx: IngressContext) {
  const r = express.Router();
  const keys = ticketKeys(ctx.config.TICKET_SIGNING_SEED);

  const ownTicket = async (req: Request): Promise<TicketRow> => {
    const principal = principalOf(req);
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) throw new AppError('invalid_id');
    const t = await getTicket(ctx, id.data);
    if (!t || (t.owner_user_id !== principal.user_id && principal.role !== 'operator'))
      throw new AppError('ticket_not_found');
    return t;
  };

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.ticketPublicKey, (_req: Request, res: Response) => {
    res.set('Cache-Control', 'public, max-age=3600').json({
      alg: 'Ed25519',
      public_key_pem: keys.publicKeyPem,
      barcode_format:
        "base64url(JSON {t: ticket id, e: event id, s: seat id or 'GA-<unit>', v: version}) '.' base64url(Ed25519 signature of those payload bytes)",
    });
    return Promise.resolve();
  });

  registerRoute(
    r,
    ctx.config.JWT_SECRET,
    ROUTES.verifyTicket,
    async (req: Request, res: Response, { body: { barcode } }) => {
      const payload = verifyBarcode(keys.publicKey, barcode);
      if (!payload || !uuidParam.safeParse(payload.t).success) {
        res.json({ valid: false, reason: 'bad_signature' });
        return;
      }
      const t = await getTicket(ctx, payload.t);
      // An organizer verifies tickets of its own events only; another's look unknown (nothing leaks).
      const principal = principalOf(req);
      const foreign = t !== null && principal.role === 'organizer' && t.organizer_id !== principal.user_id;
      const reason =
        !t || foreign || t.event_id !== payload.e
          ? 'unknown_ticket'
          : t.status !== 'valid'
            ? 'void'
            : t.version !== payload.v
              ? 'superseded'
              : null;
      if (reason || !t) {
        res.json({ valid: false, reason: reason ?? 'unknown_ticket', ticket_id: payload.t });
        return;
      }
      res.json({
        valid: true,
        ticket_id: t.id,
        event_id: t.event_id,
        event_name: t.event_name,
        ...(t.seat_id ? { seat_id: t.seat_id } : { unit: t.unit }),
        version: t.version,
      });
    },
  );

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getTicket, async (req: Request, res: Response) => {
    res.json(ticketView(await ownTicket(req)));
  });

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.getTicketQr, async (req: Request, res: Response) => {
    const t = await ownTicket(req);
    const svg = await QRCode.toString(t.barcode, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.type('image/svg+xml').set('Cache-Control', 'private, no-store').send(svg);
  });

  registerRoute(
    r,
    ctx.config.JWT_SECRET,
    ROUTES.transferTicket,
    async (req: Request, res: Response, { body: { email } }) => {
      const principal = principalOf(req);
      const t = await ownTicket(req);
      if (t.owner_user_id !== principal.user_id) throw new AppError('ticket_not_found');
      if (t.status !== 'valid') throw new AppError('ticket_not_transferable', 'The ticket is void');
      const recipient = (await findUserByEmail(ctx.pool, email))?.id ?? null;
      if (!recipient) throw new AppError('recipient_not_found');
      if (recipient === t.owner_user_id)
        throw new AppError('ticket_not_transferable', 'The recipient already owns this ticket');
      const partition = await eventPartition(ctx, t.event_id);
      if (partition === null) throw new AppError('ticket_not_found');
      await ctx.broker
        .publisher()
        .publishCommand(partition, {
          type: 'ticket.transfer',
          event_id: t.event_id,
          ticket_id: t.id,
          from_user_id: principal.user_id,
          to_user_id: recipient,
          correlation_id: req.requestId,
        })
        .catch(() => {
          throw new AppError(
            'queue_unavailable',
            'The broker did not confirm the transfer; it may have been queued. GET the ticket before retrying.',
            undefined,
            1,
          );
        });
      ctx.logger.info('ticket transfer queued', { request_id: req.requestId, ticket_id: t.id, event_id: t.event_id });
      res.status(202).json({ ticket_id: t.id, transfer: 'queued', recipient: email });
    },
  );

  return r;
}
