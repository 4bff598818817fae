import { z } from 'zod';
import type { RouteContract } from './route-table';

const text = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: 'string' } } } });

/** Payment callbacks, the API documents, and the buyer page's own files (not JSON API, but served here). */
export const WEB_ROUTES = {
  paymentCallback: {
    method: 'post',
    path: '/v1/payments/callback',
    operationId: 'paymentCallback',
    tags: ['payments'],
    summary: "The payment provider's signed webhook (HMAC in X-Onsale-Signature); idempotent.",
    headers: [{ name: 'X-Onsale-Signature', schema: { type: 'string' }, description: '`t=<unix>,v1=<hex HMAC-SHA256(PAYMENT_WEBHOOK_SECRET, t + "." + raw body)>`.' }],
    rawBody: { description: "The provider's webhook payload, verified byte for byte against its signature.", schema: { type: 'object' } },
    responses: {
      '200': { description: 'Received (possibly a duplicate, or ignored).', schema: z.object({ received: z.boolean(), duplicate: z.boolean().optional(), ignored: z.string().optional() }) },
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
  clientConfig: {
    method: 'get',
    path: '/client-config.json',
    operationId: 'clientConfig',
    tags: ['web'],
    summary: "The buyer page's settings, from server configuration.",
    responses: {
      '200': { description: 'Where the page connects for live updates (NOTIFIER_PUBLIC_URL, else this host on NOTIFIER_PORT).', schema: z.object({ notifier_url: z.string().url() }) },
    },
    errors: [],
  },
} as const satisfies Record<string, RouteContract>;
