import { addInventorySchema, repriceEventSchema } from '../../shared/contracts/events';
import {
  bookingAcceptedSchema,
  bookingBodySchema,
  bookingCancelAcceptedSchema,
  eventCancelAcceptedSchema,
  inventoryAcceptedSchema,
  repriceAcceptedSchema,
} from '../../shared/contracts/http';
import type { RouteContract } from './route-table';
import { ACCOUNT_ROUTES } from './routes-accounts';
import { WEB_ROUTES } from './routes-web';
import { CATALOG_ROUTES } from './routes-catalog';
import { OPS_ROUTES } from './routes-ops';
import { ORGANIZER_ROUTES } from './routes-organizer';
import { ORDER_ROUTES } from './routes-orders';
import { FAIR_ROUTES } from './routes-fair';

/**
 * The route table: each HTTP contract once. Routers mount these with `registerRoute` (auth, parsing),
 * and the OpenAPI document is generated from them (ingress/openapi/paths.ts), request bodies and
 * responses from the same zod schemas that validate them. Routes not yet listed here are still
 * described by hand in ingress/openapi/paths.ts; tests/unit/openapi.test.ts checks both against the served routes.
 */
export const ROUTES = {
  ...ACCOUNT_ROUTES,
  ...CATALOG_ROUTES,
  ...ORDER_ROUTES,
  ...OPS_ROUTES,
  ...ORGANIZER_ROUTES,
  ...WEB_ROUTES,
  ...FAIR_ROUTES,
  createBooking: {
    method: 'post',
    path: '/v1/bookings',
    operationId: 'createBooking',
    tags: ['bookings'],
    summary: 'Queue a booking request; the outcome arrives on the socket and at GET /v1/bookings/{id}.',
    description:
      'Exactly one of `seat_ids` or `quantity`. A 503 `queue_unavailable` with `details.booking_id` means the broker did not confirm a publish: the request may be queued under that id; GET it, or retry with the same Idempotency-Key for its real outcome.',
    roles: [],
    headers: [
      {
        name: 'Idempotency-Key',
        schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' },
        description:
          'Replays the first answer for the same body; after an unconfirmed publish, answers the real outcome.',
      },
    ],
    body: bookingBodySchema,
    responses: {
      '202': {
        description: 'Queued, with a position (or, on an Idempotency-Key retry, the booking as decided).',
        schema: bookingAcceptedSchema,
        headers: { Location: { schema: { type: 'string' } } },
      },
    },
    errors: [
      'validation_failed',
      'invalid_booking_request',
      'quantity_out_of_range',
      'event_not_found',
      'idempotency_key_reused',
      'idempotency_key_in_progress',
      'rate_limited',
      'queue_unavailable',
      'dependency_unavailable',
      'proof_required',
      'proof_invalid',
      'proof_expired',
      'proof_used',
    ],
  },
  getBooking: {
    method: 'get',
    path: '/v1/bookings/:id',
    operationId: 'getBooking',
    tags: ['bookings'],
    summary: 'A booking of the caller (operators see all).',
    roles: [],
    params: { id: "The booking's id." },
    responses: { '200': { description: 'The booking.', schema: { $ref: '#/components/schemas/Booking' } } },
    errors: ['invalid_id', 'booking_not_found'],
  },
  cancelBooking: {
    method: 'delete',
    path: '/v1/bookings/:id',
    operationId: 'cancelBooking',
    tags: ['bookings'],
    summary: 'Withdraw a queued request or release a hold (a paid booking is refunded where allowed).',
    roles: [],
    params: { id: "The booking's id." },
    responses: { '202': { description: 'Cancellation queued.', schema: bookingCancelAcceptedSchema } },
    errors: ['invalid_id', 'booking_not_found', 'booking_not_cancellable', 'queue_unavailable'],
  },
  repriceEvent: {
    method: 'put',
    path: '/v1/events/:id/prices',
    operationId: 'repriceEvent',
    tags: ['organizer'],
    summary:
      'New prices for unsold inventory, through the partition: seats available when the single writer applies it (held and sold seats keep their price), or the GA unit price.',
    roles: ['organizer', 'operator'],
    params: { id: "The event's id." },
    body: repriceEventSchema,
    responses: { '202': { description: 'Reprice queued.', schema: repriceAcceptedSchema } },
    errors: ['invalid_id', 'validation_failed', 'event_not_found', 'queue_unavailable'],
  },
  addInventory: {
    method: 'post',
    path: '/v1/events/:id/inventory',
    operationId: 'addInventory',
    tags: ['organizer'],
    summary:
      'Add inventory to an event, through its partition: new reserved sections (on sale at once, ranked after the existing seats) or a higher general-admission capacity.',
    roles: ['organizer', 'operator'],
    params: { id: "The event's id." },
    body: addInventorySchema,
    responses: { '202': { description: 'Addition queued.', schema: inventoryAcceptedSchema } },
    errors: ['invalid_id', 'validation_failed', 'event_not_found', 'event_not_editable', 'queue_unavailable'],
  },
  cancelEvent: {
    method: 'post',
    path: '/v1/events/:id/cancel',
    operationId: 'cancelEvent',
    tags: ['organizer'],
    summary:
      "Cancel an event (its organizer or an operator; another organizer's event is 403): the single writer releases holds and refunds orders.",
    roles: ['organizer', 'operator'],
    params: { id: "The event's id." },
    responses: { '202': { description: 'Cancellation queued (or done).', schema: eventCancelAcceptedSchema } },
    errors: ['invalid_id', 'event_not_found', 'queue_unavailable'],
  },
} as const satisfies Record<string, RouteContract>;
