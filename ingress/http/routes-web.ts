import { z } from 'zod';
import type { RouteContract } from './route-table';

const text = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
});

/** Payment callbacks, the API documents, and the buyer page's own files (not JSON API, but served here). */
export const WEB_ROUTES = {
  paymentCallback: {
    method: 'post',
    path: '/v1/payments/callback',
    operationId: 'paymentCallback',
    tags: ['payments'],
    summary: "The payment provider's signed webhook (HMAC in X-Onsale-Signature); idempotent.",
    headers: [
      {
        name: 'X-Onsale-Signature',
        schema: { type: 'string' },
        description: '`t=<unix>,v1=<hex HMAC-SHA256(PAYMENT_WEBHOOK_SECRET, t + "." + raw body)>`.',
      },
    ],
    rawBody: {
      description: "The provider's webhook payload, verified byte for byte against its signature.",
      schema: { type: 'object' },
    },
    responses: {
      '200': {
        description: 'Received (possibly a duplicate, or ignored).',
        schema: z.object({ received: z.boolean(), duplicate: z.boolean().optional(), ignored: z.string().optional() }),
      },
    },
    errors: ['invalid_signature', 'validation_failed', 'queue_unavailable', 'dependency_unavailable'],
  },
  openapi: {
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'openapi',
    tags: ['docs'],
    summary: 'This document.',
    responses: { '200': { description: 'OpenAPI 3.1.', schema: { type: 'object' } } },
    errors: [],
  },
  docs: {
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    tags: ['docs'],
    summary: 'API documentation page (Swagger UI, served locally).',
    responses: { '200': text('text/html', 'HTML.') },
    errors: [],
  },
  docsInit: {
    method: 'get',
    path: '/docs/init.js',
    operationId: 'docsInit',
    tags: ['docs'],
    summary: "The docs page's start-up script (no inline script under the CSP).",
    responses: { '200': text('text/javascript', 'JavaScript.') },
    errors: [],
  },
  socketIoClient: {
    method: 'get',
    path: '/socket.io/socket.io.min.js',
    operationId: 'socketIoClient',
    tags: ['web'],
    summary: 'The Socket.IO browser client, served same-origin for the buyer page.',
    responses: { '200': text('text/javascript', 'JavaScript.') },
    errors: [],
  },
  seatLayout: {
    method: 'get',
    path: '/v1/events/:id/seat-layout',
    operationId: 'getSeatLayout',
    tags: ['events', 'web'],
    summary:
      "A reserved event's seat layout, compact: runs of seats in seat-index (rank) order and the venue's section boxes; changes only with its `version`.",
    description:
      'Each run is `[section index, row, first seat number, count, price_cents, tier index]`; the seat index is the position in the runs laid end to end, and a seat id is `Section-row-number` unless `ids` names it. Fetch once per `version`, then only `seat-status`. Served gzip-compressed.',
    params: { id: "The event's id." },
    responses: {
      '200': {
        description: 'The layout.',
        schema: z.object({
          event_id: z.string(),
          version: z.string(),
          sections: z.array(z.string()),
          tiers: z.array(z.string()),
          runs: z.array(z.array(z.number())),
          ids: z.record(z.string(), z.string()),
          boxes: z.array(
            z.object({
              name: z.string(),
              x: z.number(),
              y: z.number(),
              seat_spacing: z.number(),
              row_lengths: z.array(z.number()),
            }),
          ),
        }),
      },
    },
    errors: ['invalid_id', 'event_not_found', 'dependency_unavailable'],
  },
  seatStatus: {
    method: 'get',
    path: '/v1/events/:id/seat-status',
    operationId: 'getSeatStatus',
    tags: ['events', 'web'],
    summary:
      "Every seat's status as one character (`a` available, `h` held, `s` sold) in the layout's seat-index order, with the layout `version` it fits and `as_of`.",
    params: { id: "The event's id." },
    responses: {
      '200': {
        description: 'The statuses.',
        schema: z.object({
          event_id: z.string(),
          version: z.string(),
          as_of: z.string().nullable(),
          status: z.string(),
        }),
      },
    },
    errors: ['invalid_id', 'event_not_found', 'dependency_unavailable'],
  },
  clientConfig: {
    method: 'get',
    path: '/client-config.json',
    operationId: 'clientConfig',
    tags: ['web'],
    summary: "The buyer page's settings, from server configuration.",
    responses: {
      '200': {
        description: 'Where the page connects for live updates (NOTIFIER_PUBLIC_URL, else this host on NOTIFIER_PORT).',
        schema: z.object({
          notifier_url: z.url(),
          fee_percent: z.number().describe('Service fee, percent of the seats’ price (FEE_PERCENT).'),
          fee_fixed_cents: z.number().int().describe('Fixed fee per ticket in cents (FEE_FIXED_CENTS).'),
          max_per_request: z.number().int().describe('Most tickets one request may ask for (MAX_PER_REQUEST).'),
        }),
      },
    },
    errors: [],
  },
} as const satisfies Record<string, RouteContract>;
