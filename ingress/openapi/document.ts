import { schemas } from './components';
import { paths } from './paths';

export { DOCUMENTED_ERROR_CODES } from './components';

/**
 * The OpenAPI 3.1 document of the whole ingress HTTP API, served at `/v1/openapi.json` and rendered at
 * `/docs`, built once (it never changes while the process runs). Routes in the route table
 * (ingress/http/routes.ts) are generated from it, bodies and responses from the zod schemas that
 * validate them; the others are still written by hand, to be moved into the table (both in
 * ingress/openapi/paths.ts; shared shapes in components.ts, builders in operation.ts). Error codes come
 * from the registry; tests keep the document in step with the routes the app actually serves (every
 * route, no other).
 */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Onsale API',
    version: '1',
    description:
      'Ticket booking for high-demand on-sales. Booking requests are queued per event and decided by one writer per partition; results are pushed over Socket.IO (notifier) and readable here. Every error answer is `{ "error": { "code", "message", "details"?, "request_id" } }` with a stable `code` (components.schemas.ErrorCode).',
  },
  servers: [{ url: '/' }],
  tags: [
    { name: 'accounts' },
    { name: 'events', description: 'Search and event pages (read side: may be seconds stale).' },
    { name: 'venues' },
    { name: 'organizer', description: 'Role organizer (own resources) or operator.' },
    { name: 'bookings' },
    { name: 'payments' },
    { name: 'tickets' },
    { name: 'operators' },
    { name: 'health' },
    { name: 'docs' },
  ],
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'From /v1/auth/login or /v1/auth/register (`sub`, `role`, `exp`).',
      },
    },
    schemas,
  },
  paths,
};
