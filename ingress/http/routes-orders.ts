import { z } from 'zod';
import {
  checkoutAcceptedSchema,
  checkoutBodySchema,
  pageQuerySchema,
  transferAcceptedSchema,
  transferTicketBodySchema,
  verifyTicketAnswerSchema,
  verifyTicketBodySchema,
} from '../../shared/contracts/http';
import type { RouteContract } from './route-table';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const page = (item: string) => ({
  type: 'object',
  properties: {
    items: { type: 'array', items: ref(item) },
    next_cursor: { oneOf: [{ type: 'string' }, { type: 'null' }] },
  },
});

/** Checkout, the caller's history, and tickets. */
export const ORDER_ROUTES = {
  checkout: {
    method: 'post',
    path: '/v1/bookings/:id/checkout',
    operationId: 'checkout',
    tags: ['bookings'],
    summary: 'Start paying for a held booking.',
    roles: [],
    params: { id: "The booking's id." },
    body: checkoutBodySchema,
    responses: { '202': { description: 'Checkout queued (or already in progress).', schema: checkoutAcceptedSchema } },
    errors: ['invalid_id', 'validation_failed', 'booking_not_found', 'booking_not_payable', 'queue_unavailable'],
  },
  myBookings: {
    method: 'get',
    path: '/v1/me/bookings',
    operationId: 'myBookings',
    tags: ['bookings'],
    summary: "The caller's bookings, newest first.",
    roles: [],
    query: pageQuerySchema,
    responses: { '200': { description: 'A page.', schema: page('Booking') } },
    errors: ['validation_failed', 'invalid_cursor'],
  },
  myTickets: {
    method: 'get',
    path: '/v1/me/tickets',
    operationId: 'myTickets',
    tags: ['tickets'],
    summary: "The caller's tickets.",
    roles: [],
    query: pageQuerySchema,
    responses: { '200': { description: 'A page.', schema: page('Ticket') } },
    errors: ['validation_failed', 'invalid_cursor'],
  },
  ticketPublicKey: {
    method: 'get',
    path: '/v1/tickets/public-key',
    operationId: 'ticketPublicKey',
    tags: ['tickets'],
    summary: 'The Ed25519 public key that verifies ticket barcodes offline.',
    responses: {
      '200': {
        description: 'The key.',
        schema: z.object({ alg: z.literal('Ed25519'), public_key_pem: z.string(), barcode_format: z.string() }),
      },
    },
    errors: [],
  },
  verifyTicket: {
    method: 'post',
    path: '/v1/tickets/verify',
    operationId: 'verifyTicket',
    tags: ['tickets'],
    summary:
      "Verify a scanned barcode online (signature, current version, status). An organizer verifies only its own events' tickets (others answer unknown_ticket).",
    roles: ['organizer', 'operator'],
    body: verifyTicketBodySchema,
    responses: { '200': { description: '`valid`, or the reason it is not.', schema: verifyTicketAnswerSchema } },
    errors: ['validation_failed'],
  },
  getTicket: {
    method: 'get',
    path: '/v1/tickets/:id',
    operationId: 'getTicket',
    tags: ['tickets'],
    summary: 'A ticket of the caller.',
    roles: [],
    params: { id: "The ticket's id." },
    responses: { '200': { description: 'The ticket.', schema: ref('Ticket') } },
    errors: ['invalid_id', 'ticket_not_found'],
  },
  getTicketQr: {
    method: 'get',
    path: '/v1/tickets/:id/qr.svg',
    operationId: 'getTicketQr',
    tags: ['tickets'],
    summary: "A ticket's barcode as a QR code.",
    roles: [],
    params: { id: "The ticket's id." },
    responses: { '200': { description: 'SVG.', content: { 'image/svg+xml': { schema: { type: 'string' } } } } },
    errors: ['invalid_id', 'ticket_not_found'],
  },
  transferTicket: {
    method: 'post',
    path: '/v1/tickets/:id/transfer',
    operationId: 'transferTicket',
    tags: ['tickets'],
    summary: 'Give a ticket to another account (by e-mail); its old barcode stops verifying.',
    roles: [],
    params: { id: "The ticket's id." },
    body: transferTicketBodySchema,
    responses: { '202': { description: 'Transfer queued.', schema: transferAcceptedSchema } },
    errors: [
      'invalid_id',
      'validation_failed',
      'ticket_not_found',
      'ticket_not_transferable',
      'recipient_not_found',
      'queue_unavailable',
    ],
  },
} as const satisfies Record<string, RouteContract>;
