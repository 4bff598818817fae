import { ERRORS, type ErrorCode } from '../../shared/errors';
import { EVENT_CATEGORIES } from '../../shared/contracts/events';
import { PERFORMER_TYPES, SEARCH_MAX_LIMIT, SEARCH_SORTS } from '../../shared/contracts/catalog';
import { ROLES } from '../../shared/auth';

/**
 * The OpenAPI 3.1 document of the whole ingress HTTP API, served at `/v1/openapi.json` and rendered at
 * `/docs`. Written by hand, next to the code; tests keep it in step with the error registry (every
 * code, no other) and with the routes the app actually serves (every route, no other).
 */

/**
 * Every error code, listed here by hand: adding a code to shared/errors.ts without documenting it
 * here (or the reverse) fails tests/unit/openapi.test.ts.
 */
export const DOCUMENTED_ERROR_CODES = [
  'invalid_json', 'validation_failed', 'quantity_out_of_range', 'invalid_booking_request', 'invalid_id', 'unauthorized', 'forbidden',
  'not_found', 'event_not_found', 'booking_not_found', 'booking_not_cancellable', 'idempotency_key_reused', 'payload_too_large',
  'unsupported_media_type', 'rate_limited', 'queue_unavailable', 'dependency_unavailable', 'shutting_down', 'internal_error',
  'invalid_signature', 'booking_not_payable', 'ticket_not_found', 'ticket_not_transferable', 'recipient_not_found', 'invalid_cursor',
  'email_taken', 'invalid_credentials', 'user_not_found', 'venue_not_found', 'performer_not_found', 'invalid_layout', 'invalid_range',
  'event_not_editable', 'proof_required', 'proof_invalid', 'proof_expired', 'proof_used', 'queue_mode_locked',
] as const;

type Json = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });
const uuid = { type: 'string', format: 'uuid' };
const dateTime = { type: 'string', format: 'date-time' };
const money = { type: 'number', minimum: 0, maximum: 1_000_000, multipleOf: 0.01, description: 'Currency units (79.5), two decimals at most.' };
const nullable = (schema: Json) => ({ oneOf: [schema, { type: 'null' }] });
const obj = (properties: Json, required: string[] = [], extra: Json = {}) => ({ type: 'object', properties, ...(required.length ? { required } : {}), ...extra });
const strict = (properties: Json, required: string[] = [], extra: Json = {}) => obj(properties, required, { additionalProperties: false, ...extra });
const arrayOf = (items: Json, extra: Json = {}) => ({ type: 'array', items, ...extra });

/** Codes any route may answer, whatever it does. */
const ALWAYS: ErrorCode[] = ['internal_error', 'shutting_down'];

interface Op {
  tags: string[];
  summary: string;
  description?: string;
  /** Roles that may call it; empty = any valid token; undefined = public. */
  roles?: readonly string[];
  params?: Array<{ name: string; in: 'path' | 'query' | 'header'; schema: Json; description?: string; required?: boolean }>;
  body?: Json;
  bodyRequired?: boolean;
  ok: Record<string, { description: string; schema?: Json; content?: Json; headers?: Json }>;
  errors: ErrorCode[];
}

function operation(id: string, o: Op): Json {
  const errors = [...new Set([...o.errors, ...ALWAYS, ...(o.roles ? (['unauthorized', ...(o.roles.length ? ['forbidden'] : [])] as ErrorCode[]) : []), ...(o.body ? (['invalid_json', 'unsupported_media_type', 'payload_too_large'] as ErrorCode[]) : [])])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errors) byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
  const responses: Json = {};
  for (const [status, r] of Object.entries(o.ok)) {
    responses[status] = { description: r.description, ...(r.headers ? { headers: r.headers } : {}), ...(r.content ? { content: r.content } : r.schema ? { content: json(r.schema) } : {}) };
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = {
      description: `Error; \`error.code\` is one of: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      'x-error-codes': codes,
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' } } } : {}),
      content: json({ allOf: [ref('Error')], properties: { error: { properties: { code: { enum: codes } } } } }),
    };
  }
  return {
    operationId: id,
    tags: o.tags,
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    ...(o.roles ? { security: [{ bearer: [] }], 'x-roles': o.roles.length ? o.roles : ['any'] } : { security: [] }),
    ...(o.params ? { parameters: o.params.map((p) => ({ ...p, required: p.in === 'path' ? true : (p.required ?? false) })) } : {}),
    ...(o.body ? { requestBody: { required: o.bodyRequired ?? true, content: json(o.body) } } : {}),
    responses,
  };
}

const idParam = (what: string) => ({ name: 'id', in: 'path' as const, schema: uuid, description: `The ${what}'s id.` });
const pageParams = [
  { name: 'limit', in: 'query' as const, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
  { name: 'cursor', in: 'query' as const, schema: { type: 'string', maxLength: 200 }, description: 'Opaque; the previous page\'s `next_cursor`.' },
];

const schemas: Json = {
  ErrorCode: { type: 'string', enum: [...DOCUMENTED_ERROR_CODES], description: 'Stable machine-readable error codes (shared/errors.ts).' },
  Error: strict(
    {
      error: strict(
        {
          code: ref('ErrorCode'),
          message: { type: 'string' },
          details: { description: 'For validation errors: `[{ path, message }]`, one per problem.' },
          request_id: { type: 'string', description: 'Also in the X-Request-Id header and every log line of the request.' },
        },
        ['code', 'message', 'request_id'],
      ),
    },
    ['error'],
  ),
  User: obj({ id: uuid, email: { type: 'string', format: 'email' }, name: { type: 'string' }, role: { enum: [...ROLES] }, created_at: dateTime }, ['id', 'email', 'name', 'role']),
  TokenResponse: obj(
    { token: { type: 'string', description: 'HS256 JWT: `sub` = user id, `role`, `exp`.' }, token_type: { const: 'Bearer' }, expires_in: { type: 'integer' }, user: ref('User') },
    ['token', 'token_type', 'expires_in', 'user'],
  ),
  Availability: obj(
    {
      capacity: { type: 'integer' },
      available: { type: 'integer' },
      held: { type: 'integer' },
      sold: { type: 'integer' },
      as_of: nullable(dateTime),
      source: { enum: ['snapshot', 'database', 'layout'], description: '`snapshot`: the worker\'s Redis snapshot (seconds old at most); `database`: PostgreSQL; `layout`: inventory not created yet (full capacity).' },
    },
    ['capacity', 'available', 'as_of', 'source'],
  ),
  PriceRange: obj({ min: { type: 'number' }, max: { type: 'number' } }, ['min', 'max']),
  EventStatus: { enum: ['scheduled', 'on_sale', 'sold_out', 'cancelled'] },
  GeneralAdmission: strict({ capacity: { type: 'integer', minimum: 1, maximum: 10_000_000 }, price: money }, ['capacity', 'price']),
  CompactSection: strict(
    {
      name: { type: 'string', minLength: 1, maxLength: 40, pattern: '^[^:/\\\\]+$' },
      rows: { type: 'integer', minimum: 1, maximum: 500 },
      seats_per_row: { type: 'integer', minimum: 1, maximum: 500 },
      price: money,
      price_tier: { type: 'string', minLength: 1, maxLength: 40, description: 'Defaults to the section name.' },
    },
    ['name', 'rows', 'seats_per_row', 'price'],
  ),
  PriceTier: strict(
    { name: { type: 'string', minLength: 1, maxLength: 40 }, price: money, sections: arrayOf({ type: 'string' }, { minItems: 1, description: 'Venue sections sold at this price; a section in no tier is not sold.' }) },
    ['name', 'price', 'sections'],
  ),
  EventCatalogFields: obj({
    description: { type: 'string', maxLength: 5000 },
    category: { enum: [...EVENT_CATEGORIES], default: 'other' },
    venue_id: uuid,
    performer_ids: arrayOf(uuid, { maxItems: 20, description: 'Headliner first.' }),
    ends_at: { ...dateTime, description: 'After starts_at.' },
    partition: { type: 'integer', minimum: 0, description: 'Pin to this partition (below the partition count) instead of the hash of the id.' },
    on_sale_at: { ...dateTime, description: 'Defaults to now.' },
    hold_seconds: { type: 'integer', minimum: 1, maximum: 86400, default: 600 },
    max_per_user: { type: 'integer', minimum: 1, maximum: 1000, default: 8 },
    queue_mode: { enum: ['draw', 'fifo'], default: 'draw', description: 'How the waiting room is ordered at on_sale_at: a random draw, or arrival order. Settable until on_sale_at (PUT /v1/events/{id}/queue-mode).' },
    pow_bits: { type: 'integer', minimum: 0, maximum: 26, default: 0, description: 'Leading zero bits of the proof of work each booking must carry (0: none). See GET /v1/events/{id}/challenge.' },
  }),
  CreateEvent: {
    description: 'General admission, compact sections, or a venue\'s seat layout priced by tier. Catalog fields (EventCatalogFields) are allowed in every shape.',
    oneOf: [
      obj({ name: { type: 'string', minLength: 1, maxLength: 200 }, starts_at: dateTime, general_admission: ref('GeneralAdmission') }, ['name', 'starts_at', 'general_admission']),
      obj({ name: { type: 'string', minLength: 1, maxLength: 200 }, starts_at: dateTime, sections: arrayOf(ref('CompactSection'), { minItems: 1, maxItems: 200 }) }, ['name', 'starts_at', 'sections']),
      obj({ name: { type: 'string', minLength: 1, maxLength: 200 }, starts_at: dateTime, venue_id: uuid, price_tiers: arrayOf(ref('PriceTier'), { minItems: 1, maxItems: 50 }) }, [
        'name', 'starts_at', 'venue_id', 'price_tiers',
      ]),
    ],
    unevaluatedProperties: false,
    allOf: [ref('EventCatalogFields')],
  },
  UpdateEvent: strict(
    {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      description: { type: 'string', maxLength: 5000 },
      category: { enum: [...EVENT_CATEGORIES] },
      starts_at: dateTime,
      ends_at: nullable(dateTime),
      performer_ids: arrayOf(uuid, { maxItems: 20 }),
    },
    [],
    { minProperties: 1, description: 'Catalog fields only. Inventory (layout, prices, on-sale time, hold, limits) changes only through the partition queue.' },
  ),
  EventPage: obj(
    {
      id: uuid,
      name: { type: 'string' },
      description: { type: 'string' },
      category: { enum: [...EVENT_CATEGORIES] },
      organizer_id: { type: 'string' },
      starts_at: dateTime,
      ends_at: nullable(dateTime),
      on_sale_at: dateTime,
      hold_seconds: { type: 'integer' },
      max_per_user: { type: 'integer' },
      partition: { type: 'integer' },
      partition_pinned: { type: 'boolean' },
      kind: { enum: ['reserved', 'general_admission'] },
      capacity: { type: 'integer' },
      inventory_ready: { type: 'boolean' },
      cancelled: { type: 'boolean' },
      venue: nullable(obj({ id: uuid, name: { type: 'string' }, address: { type: 'string' }, city: { type: 'string' }, country: { type: 'string' }, location: obj({ lat: { type: 'number' }, lon: { type: 'number' } }) })),
      performers: arrayOf(obj({ id: uuid, name: { type: 'string' }, type: { enum: [...PERFORMER_TYPES] }, genre: nullable({ type: 'string' }) })),
      general_admission: ref('GeneralAdmission'),
      sections: arrayOf(
        obj({ name: { type: 'string' }, rows: { type: 'integer' }, seats_per_row: { type: 'integer' }, row_lengths: arrayOf({ type: 'integer' }), seats: { type: 'integer' }, price: { type: 'number' }, price_tier: { type: 'string' } }),
      ),
      price_tiers: arrayOf(obj({ name: { type: 'string' }, price: { type: 'number' }, sections: arrayOf({ type: 'string' }) })),
      price_range: ref('PriceRange'),
      status: ref('EventStatus'),
      on_sale: obj({ at: dateTime, open: { type: 'boolean' }, queue_opens_at: { ...dateTime, description: 'When requests start to be accepted into the queue (WAITING_ROOM_MINUTES before the on-sale time).' }, queue_open: { type: 'boolean' } }),
      availability: ref('Availability'),
    },
    ['id', 'name', 'starts_at', 'status', 'availability', 'price_tiers', 'venue', 'performers'],
  ),
  SearchHit: obj(
    {
      id: uuid,
      name: { type: 'string' },
      starts_at: dateTime,
      ends_at: nullable(dateTime),
      category: { type: 'string' },
      status: ref('EventStatus'),
      on_sale: obj({ at: dateTime, open: { type: 'boolean' }, queue_opens_at: { ...dateTime, description: 'When requests start to be accepted into the queue (WAITING_ROOM_MINUTES before the on-sale time).' }, queue_open: { type: 'boolean' } }),
      venue: nullable(obj({ id: uuid, name: { type: 'string' }, city: { type: 'string' } })),
      performers: arrayOf(obj({ id: uuid, name: { type: 'string' } })),
      price_range: ref('PriceRange'),
      availability: obj({ capacity: { type: 'integer' }, available: { type: 'integer' }, sold_out: { type: 'boolean' }, as_of: nullable(dateTime), source: { type: 'string' } }),
      score: { type: 'number', description: 'Relevance sort only.' },
    },
    ['id', 'name', 'starts_at', 'venue', 'price_range', 'availability'],
  ),
  SearchResponse: obj(
    {
      items: arrayOf(ref('SearchHit')),
      next_cursor: nullable({ type: 'string' }),
      query: obj({
        sort: { enum: [...SEARCH_SORTS] },
        words: arrayOf(obj({ word: { type: 'string' }, matches: arrayOf({ type: 'string' }), prefix: { type: 'boolean' } }), { description: 'How each typed word was read (spelling correction).' }),
      }),
    },
    ['items', 'next_cursor'],
  ),
  VenueSection: strict(
    {
      name: { type: 'string', minLength: 1, maxLength: 40 },
      rows: {
        oneOf: [
          { type: 'integer', minimum: 1, maximum: 500, description: 'With seats_per_row: equal rows.' },
          arrayOf(strict({ seats: { type: 'integer', minimum: 1, maximum: 500 }, accessible: arrayOf({ type: 'integer', minimum: 1 }) }, ['seats']), { minItems: 1, maxItems: 500, description: 'Row 1 (front) first, each with its own length.' }),
        ],
      },
      seats_per_row: { type: 'integer', minimum: 1, maximum: 500 },
      accessible: arrayOf(strict({ row: { type: 'integer' }, seat: { type: 'integer' } }, ['row', 'seat'])),
      x: { type: 'number' },
      y: { type: 'number' },
      seat_spacing: { type: 'number', exclusiveMinimum: 0, default: 1 },
    },
    ['name', 'rows'],
  ),
  CreateVenue: strict(
    {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      address: { type: 'string', maxLength: 500 },
      city: { type: 'string', minLength: 1, maxLength: 100 },
      country: { type: 'string', maxLength: 100 },
      lat: { type: 'number', minimum: -90, maximum: 90 },
      lon: { type: 'number', minimum: -180, maximum: 180 },
      sections: arrayOf(ref('VenueSection'), { maxItems: 200, description: 'Best section first: the order ranks seats.' }),
      standing_capacity: { type: 'integer', minimum: 0, default: 0 },
    },
    ['name', 'city', 'lat', 'lon'],
  ),
  UpdateVenue: strict(
    { name: { type: 'string' }, address: { type: 'string' }, city: { type: 'string' }, country: { type: 'string' }, lat: { type: 'number' }, lon: { type: 'number' } },
    [],
    { minProperties: 1, description: 'The seat layout is fixed once created.' },
  ),
  Venue: obj({
    id: uuid,
    organizer_id: { type: 'string' },
    name: { type: 'string' },
    address: { type: 'string' },
    city: { type: 'string' },
    country: { type: 'string' },
    location: obj({ lat: { type: 'number' }, lon: { type: 'number' } }),
    capacity: { type: 'integer' },
    seated_capacity: { type: 'integer' },
    standing_capacity: { type: 'integer' },
    sections: arrayOf(obj({ name: { type: 'string' }, rows: { type: 'integer' }, row_lengths: arrayOf({ type: 'integer' }), seats: { type: 'integer' }, accessible_seats: { type: 'integer' } })),
    created_at: dateTime,
    updated_at: dateTime,
  }),
  VenueSeat: obj({ id: { type: 'string', description: '`<section>-<row>-<seat>`, the same id the event\'s seat has.' }, section: { type: 'string' }, row: { type: 'integer' }, number: { type: 'integer' }, rank: { type: 'integer', description: '0 = best.' }, x: { type: 'number' }, y: { type: 'number' }, accessible: { type: 'boolean' } }),
  Performer: obj({ id: uuid, organizer_id: { type: 'string' }, name: { type: 'string' }, type: { enum: [...PERFORMER_TYPES] }, genre: nullable({ type: 'string' }), created_at: dateTime, updated_at: dateTime }),
  CreatePerformer: strict({ name: { type: 'string', minLength: 1, maxLength: 200 }, type: { enum: [...PERFORMER_TYPES] }, genre: { type: 'string', maxLength: 60 } }, ['name', 'type']),
  UpdatePerformer: strict({ name: { type: 'string' }, type: { enum: [...PERFORMER_TYPES] }, genre: nullable({ type: 'string' }) }, [], { minProperties: 1 }),
  BookingRequest: strict(
    {
      event_id: uuid,
      seat_ids: arrayOf({ type: 'string' }, { minItems: 1, maxItems: 100, description: 'Exact seats, all or nothing.' }),
      accept_alternatives: { type: 'boolean' },
      quantity: { type: 'integer', minimum: 1, description: 'Best available (or general-admission units); at most MAX_PER_REQUEST.' },
      section: { type: 'string' },
      price_tier: { type: 'string' },
      max_price: money,
      presale_code: { type: 'string', minLength: 1, maxLength: 64, description: 'Before the on-sale time: a presale code, decided at once by the single writer in its window.' },
      proof: strict({ challenge: { type: 'string', maxLength: 512 }, nonce: { type: 'string', maxLength: 64 } }, ['challenge', 'nonce'], {
        description: 'Required when the event has pow_bits > 0: SHA-256 of `challenge + ":" + nonce` starts with pow_bits zero bits. Each challenge is accepted once.',
      }),
    },
    ['event_id'],
    { description: 'Exactly one of seat_ids or quantity.' },
  ),
  Booking: obj(
    {
      booking_id: uuid,
      event_id: uuid,
      user_id: { type: 'string' },
      status: { enum: ['queued', 'held', 'rejected', 'payment_pending', 'confirmed', 'expired', 'cancelled', 'refunded'] },
      position: { ...nullable({ type: 'integer' }), description: 'While queued: 1 = next. null in a waiting room that is drawn, until the draw (draw_at).' },
      queue: { enum: ['waiting_room', 'line', 'presale'], description: 'While queued: waiting for the draw, in line with a position, or a presale booking being decided.' },
      draw_at: { ...dateTime, description: 'While queue is waiting_room: when the order is drawn (the on-sale time).' },
      seats: arrayOf({ type: 'string' }),
      quantity: { type: 'integer' },
      amount: { type: 'number' },
      hold_expires_at: dateTime,
      reason: { type: 'string', description: 'Rejection or payment reason code.' },
      requested_at: dateTime,
      decided_at: dateTime,
    },
    ['booking_id', 'event_id', 'status'],
  ),
  Ticket: obj({
    ticket_id: uuid,
    event_id: uuid,
    event_name: { type: 'string' },
    starts_at: dateTime,
    booking_id: uuid,
    order_id: uuid,
    seat_id: { type: 'string' },
    unit: { type: 'integer' },
    status: { enum: ['valid', 'void'] },
    version: { type: 'integer' },
    barcode: { type: 'string' },
    qr: { type: 'string' },
    issued_at: dateTime,
    owned_since: dateTime,
  }),
  SeatMap: obj({
    event_id: uuid,
    kind: { enum: ['reserved', 'general_admission'] },
    venue_id: nullable(uuid),
    as_of: nullable(dateTime),
    source: { enum: ['snapshot', 'database'] },
    available: { type: 'integer', description: 'General admission only.' },
    capacity: { type: 'integer', description: 'General admission only.' },
    seats: arrayOf(obj({ id: { type: 'string' }, section: { type: 'string' }, row: { type: 'integer' }, number: { type: 'integer' }, price: { type: 'number' }, price_tier: { type: 'string' }, status: { enum: ['available', 'held', 'sold'] } })),
  }),
};

const paths: Record<string, Record<string, Json>> = {
  '/healthz': { get: operation('healthz', { tags: ['health'], summary: 'Liveness: the process answers.', ok: { '200': { description: 'Alive.', schema: obj({ status: { const: 'ok' } }) } }, errors: [] }) },
  '/readyz': {
    get: operation('readyz', {
      tags: ['health'],
      summary: 'Readiness: PostgreSQL, Redis and RabbitMQ answer, and the process is not shutting down.',
      ok: {
        '200': { description: 'Ready.', schema: obj({ status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } }) },
        '503': { description: 'Not ready (a check failed, or shutting down); `checks` says which.', schema: obj({ status: { type: 'string' }, checks: { type: 'object' } }) },
      },
      errors: [],
    }),
  },
  '/metrics': { get: operation('metrics', { tags: ['health'], summary: 'Prometheus metrics (text exposition format).', ok: { '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } }, errors: [] }) },
  '/v1/openapi.json': { get: operation('openapi', { tags: ['docs'], summary: 'This document.', ok: { '200': { description: 'OpenAPI 3.1.', schema: { type: 'object' } } }, errors: [] }) },
  '/docs': { get: operation('docs', { tags: ['docs'], summary: 'API documentation page (Swagger UI, served locally).', ok: { '200': { description: 'HTML.', content: { 'text/html': { schema: { type: 'string' } } } } }, errors: [] }) },

  // ---------- accounts ----------
  '/v1/auth/register': {
    post: operation('register', {
      tags: ['accounts'],
      summary: 'Create a buyer account and get a token.',
      description: 'E-mails are unique in any letter case. Passwords (8 characters to 72 bytes) are stored as bcrypt hashes. The e-mail ONSALE_BOOTSTRAP_OPERATOR_EMAIL becomes an operator.',
      body: strict({ email: { type: 'string', format: 'email', maxLength: 254 }, password: { type: 'string', minLength: 8 }, name: { type: 'string', minLength: 1, maxLength: 200 } }, ['email', 'password', 'name']),
      ok: { '201': { description: 'Registered.', schema: ref('TokenResponse') } },
      errors: ['validation_failed', 'email_taken', 'dependency_unavailable'],
    }),
  },
  '/v1/auth/login': {
    post: operation('login', {
      tags: ['accounts'],
      summary: 'Exchange e-mail and password for a token.',
      description: 'Failed attempts are limited per client address and e-mail (LOGIN_RATE_LIMIT per LOGIN_RATE_WINDOW_S), and ten times that per address; past it, 429 with Retry-After. The token carries the role the account has now.',
      body: strict({ email: { type: 'string', format: 'email' }, password: { type: 'string' } }, ['email', 'password']),
      ok: { '200': { description: 'Logged in.', schema: ref('TokenResponse') } },
      errors: ['validation_failed', 'invalid_credentials', 'rate_limited', 'dependency_unavailable'],
    }),
  },
  '/v1/me': {
    get: operation('me', {
      tags: ['accounts'],
      summary: 'The account the token belongs to.',
      roles: [],
      ok: { '200': { description: 'The account; `token_role` is the role in the token (it may predate a grant).', schema: { allOf: [ref('User')], properties: { token_role: { enum: [...ROLES] } } } } },
      errors: ['user_not_found'],
    }),
  },
  '/v1/users': {
    get: operation('findUser', {
      tags: ['accounts'],
      summary: 'Find an account by e-mail (operators).',
      roles: ['operator'],
      params: [{ name: 'email', in: 'query', schema: { type: 'string', format: 'email' }, required: true }],
      ok: { '200': { description: 'Zero or one account.', schema: obj({ items: arrayOf(ref('User')) }) } },
      errors: ['validation_failed'],
    }),
  },
  '/v1/users/{id}/role': {
    put: operation('grantRole', {
      tags: ['accounts'],
      summary: 'Grant a role (operators). It applies from the account\'s next login.',
      roles: ['operator'],
      params: [idParam('account')],
      body: strict({ role: { enum: [...ROLES] } }, ['role']),
      ok: { '200': { description: 'The account with its new role.', schema: ref('User') } },
      errors: ['invalid_id', 'validation_failed', 'user_not_found'],
    }),
  },

  // ---------- catalog: search and event pages ----------
  '/v1/events/search': {
    get: operation('searchEvents', {
      tags: ['events'],
      summary: 'Search upcoming events: typo-tolerant full text, filters, sorts, cursor paging.',
      description:
        '`q` matches event name and performers (strongest), venue, city and category, accent- and case-insensitive; misspelt words are corrected against the words events contain ("tayler swfit" finds Taylor Swift) and the last word also matches as a prefix. Only scheduled (not cancelled) events from now on (or from start_date) are found. Each hit\'s availability may be a few seconds old. Paging is keyset-based: events added meanwhile never cause duplicates or gaps. With available_only a page may hold fewer than `limit` items; only a null `next_cursor` means the end.',
      params: [
        { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 } },
        { name: 'city', in: 'query', schema: { type: 'string', maxLength: 100 }, description: 'Exact city, case- and accent-insensitive.' },
        { name: 'near', in: 'query', schema: { type: 'string', pattern: '^-?\\d{1,3}(\\.\\d+)?,-?\\d{1,3}(\\.\\d+)?$' }, description: '`lat,lon` of a point.' },
        { name: 'radius_km', in: 'query', schema: { type: 'number', exclusiveMinimum: 0, maximum: 20000, default: 25 }, description: 'With near.' },
        { name: 'start_date', in: 'query', schema: { type: 'string', description: 'YYYY-MM-DD or date-time' }, description: 'Events starting at or after; defaults to now.' },
        { name: 'end_date', in: 'query', schema: { type: 'string', description: 'YYYY-MM-DD or date-time' }, description: 'Events starting on or before (a date includes its whole day, UTC).' },
        { name: 'venue_id', in: 'query', schema: uuid },
        { name: 'performer_id', in: 'query', schema: uuid },
        { name: 'category', in: 'query', schema: { enum: [...EVENT_CATEGORIES] } },
        { name: 'min_price', in: 'query', schema: money, description: 'Events with some price at or above.' },
        { name: 'max_price', in: 'query', schema: money, description: 'Events with some price at or below.' },
        { name: 'available_only', in: 'query', schema: { type: 'boolean' } },
        { name: 'sort', in: 'query', schema: { enum: [...SEARCH_SORTS] }, description: 'Default: relevance with q, else date. Relevance without q sorts by date.' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: SEARCH_MAX_LIMIT, default: 20 } },
        { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'Opaque `next_cursor` of the previous page, valid only with the same filters and sort.' },
      ],
      ok: { '200': { description: 'A page of hits.', schema: ref('SearchResponse') } },
      errors: ['validation_failed', 'invalid_range', 'invalid_cursor', 'dependency_unavailable'],
    }),
  },
  '/v1/events': {
    post: operation('createEvent', {
      tags: ['organizer'],
      summary: 'Create an event; the partition\'s single writer then creates its inventory.',
      description: 'Answers once the event row exists and its `inventory.init` command is confirmed into the event\'s partition queue; `inventory_ready` turns true when the worker has committed the seats.',
      roles: ['organizer', 'operator'],
      body: ref('CreateEvent'),
      ok: { '201': { description: 'Created.', schema: ref('EventPage'), headers: { Location: { schema: { type: 'string' } } } } },
      errors: ['validation_failed', 'invalid_layout', 'venue_not_found', 'performer_not_found', 'queue_unavailable', 'dependency_unavailable'],
    }),
  },
  '/v1/events/{id}': {
    get: operation('getEvent', {
      tags: ['events'],
      summary: 'Event page: event, venue, performers, price tiers, availability, on-sale state.',
      description: 'Cached aside in Redis (EVENT_CACHE_TTL_S, dropped on every organizer change); served from PostgreSQL when Redis is down.',
      params: [idParam('event')],
      ok: { '200': { description: 'The event.', schema: ref('EventPage') } },
      errors: ['invalid_id', 'event_not_found', 'dependency_unavailable'],
    }),
    patch: operation('updateEvent', {
      tags: ['organizer'],
      summary: 'Change an event\'s catalog fields (its organizer or an operator).',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      body: ref('UpdateEvent'),
      ok: { '200': { description: 'The event after the change.', schema: ref('EventPage') } },
      errors: ['invalid_id', 'validation_failed', 'invalid_range', 'event_not_found', 'performer_not_found', 'event_not_editable'],
    }),
  },
  '/v1/events/{id}/seats': {
    get: operation('getSeatMap', {
      tags: ['events'],
      summary: 'Seat map: every seat with status and price, plus `as_of` (the worker\'s snapshot, or PostgreSQL).',
      params: [idParam('event'), { name: 'section', in: 'query', schema: { type: 'string', maxLength: 40 } }],
      ok: { '200': { description: 'Seats; coordinates for drawing are on the venue\'s seats (same ids).', schema: ref('SeatMap') } },
      errors: ['invalid_id', 'validation_failed', 'event_not_found', 'dependency_unavailable'],
    }),
  },
  '/v1/events/{id}/cancel': {
    post: operation('cancelEvent', {
      tags: ['organizer'],
      summary: 'Cancel an event (its organizer or an operator): the single writer releases holds and refunds orders.',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      ok: { '202': { description: 'Cancellation queued (or done).', schema: obj({ event_id: uuid, cancellation: { enum: ['queued', 'done'] } }) } },
      errors: ['invalid_id', 'event_not_found', 'queue_unavailable'],
    }),
  },
  '/v1/events/{id}/prices': {
    put: operation('repriceEvent', {
      tags: ['organizer'],
      summary: 'New prices for unsold inventory, through the partition: seats available when the single writer applies it (held and sold seats keep their price), or the GA unit price.',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      body: obj({
        sections: { type: 'array', items: obj({ name: { type: 'string' }, price: { type: 'number', minimum: 0 } }) },
        general_admission: obj({ price: { type: 'number', minimum: 0 } }),
      }),
      ok: { '202': { description: 'Reprice queued.', schema: obj({ event_id: uuid, reprice: { enum: ['queued'] } }) } },
      errors: ['invalid_id', 'validation_failed', 'event_not_found', 'queue_unavailable'],
    }),
  },

  '/v1/events/{id}/inventory': {
    post: operation('addInventory', {
      tags: ['organizer'],
      summary: 'Add inventory to an event, through its partition: new reserved sections (on sale at once, ranked after the existing seats) or a higher general-admission capacity.',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      body: obj({
        sections: arrayOf(ref('CompactSection'), { minItems: 1, maxItems: 200 }),
        general_admission: obj({ capacity: { type: 'integer', minimum: 1 } }),
      }),
      ok: { '202': { description: 'Addition queued.', schema: obj({ event_id: uuid, inventory: { enum: ['queued'] }, capacity: { type: 'integer' } }) } },
      errors: ['invalid_id', 'validation_failed', 'event_not_found', 'event_not_editable', 'queue_unavailable'],
    }),
  },

  // ---------- organizer: venues and performers ----------
  '/v1/venues': {
    post: operation('createVenue', {
      tags: ['organizer'],
      summary: 'Create a venue with its seat layout (sections → rows → seats with coordinates, accessibility, rank).',
      roles: ['organizer', 'operator'],
      body: ref('CreateVenue'),
      ok: { '201': { description: 'Created.', schema: ref('Venue') } },
      errors: ['validation_failed', 'invalid_layout'],
    }),
  },
  '/v1/venues/{id}': {
    get: operation('getVenue', { tags: ['venues'], summary: 'A venue and its sections.', params: [idParam('venue')], ok: { '200': { description: 'The venue.', schema: ref('Venue') } }, errors: ['invalid_id', 'venue_not_found'] }),
    patch: operation('updateVenue', {
      tags: ['organizer'],
      summary: 'Change a venue\'s name, address or location (its organizer or an operator).',
      roles: ['organizer', 'operator'],
      params: [idParam('venue')],
      body: ref('UpdateVenue'),
      ok: { '200': { description: 'The venue after the change.', schema: ref('Venue') } },
      errors: ['invalid_id', 'validation_failed', 'venue_not_found'],
    }),
  },
  '/v1/venues/{id}/seats': {
    get: operation('getVenueSeats', {
      tags: ['venues'],
      summary: 'Every seat of a venue in rank order, with coordinates and accessibility.',
      params: [idParam('venue'), { name: 'section', in: 'query', schema: { type: 'string', maxLength: 40 } }],
      ok: { '200': { description: 'Seats.', schema: obj({ venue_id: uuid, seats: arrayOf(ref('VenueSeat')) }) } },
      errors: ['invalid_id', 'validation_failed', 'venue_not_found'],
    }),
  },
  '/v1/performers': {
    post: operation('createPerformer', {
      tags: ['organizer'],
      summary: 'Create a performer.',
      roles: ['organizer', 'operator'],
      body: ref('CreatePerformer'),
      ok: { '201': { description: 'Created.', schema: ref('Performer') } },
      errors: ['validation_failed'],
    }),
  },
  '/v1/performers/{id}': {
    get: operation('getPerformer', { tags: ['venues'], summary: 'A performer.', params: [idParam('performer')], ok: { '200': { description: 'The performer.', schema: ref('Performer') } }, errors: ['invalid_id', 'performer_not_found'] }),
    patch: operation('updatePerformer', {
      tags: ['organizer'],
      summary: 'Change a performer (its organizer or an operator); its events\' search documents follow.',
      roles: ['organizer', 'operator'],
      params: [idParam('performer')],
      body: ref('UpdatePerformer'),
      ok: { '200': { description: 'The performer after the change.', schema: ref('Performer') } },
      errors: ['invalid_id', 'validation_failed', 'performer_not_found'],
    }),
  },

  // ---------- bookings, checkout, payments ----------
  '/v1/bookings': {
    post: operation('createBooking', {
      tags: ['bookings'],
      summary: 'Queue a booking request; the outcome arrives on the socket and at GET /v1/bookings/{id}.',
      roles: [],
      params: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 128 }, description: 'Replays the first answer for the same body.' }],
      body: ref('BookingRequest'),
      ok: {
        '202': {
          description: 'Queued, with a position; in a waiting room that is drawn, with none yet (position null, queue waiting_room, draw_at).',
          schema: obj({ booking_id: uuid, event_id: uuid, status: { const: 'queued' }, position: nullable({ type: 'integer' }), queue: { enum: ['waiting_room', 'line', 'presale'] }, draw_at: dateTime }),
        },
      },
      errors: [
        'validation_failed', 'invalid_booking_request', 'quantity_out_of_range', 'event_not_found', 'idempotency_key_reused', 'rate_limited', 'queue_unavailable', 'dependency_unavailable',
        'proof_required', 'proof_invalid', 'proof_expired', 'proof_used',
      ],
    }),
  },
  '/v1/bookings/{id}': {
    get: operation('getBooking', { tags: ['bookings'], summary: 'A booking of the caller (operators see all).', roles: [], params: [idParam('booking')], ok: { '200': { description: 'The booking.', schema: ref('Booking') } }, errors: ['invalid_id', 'booking_not_found'] }),
    delete: operation('cancelBooking', {
      tags: ['bookings'],
      summary: 'Withdraw a queued request or release a hold (a paid booking is refunded where allowed).',
      roles: [],
      params: [idParam('booking')],
      ok: { '202': { description: 'Cancellation queued.', schema: { type: 'object' } } },
      errors: ['invalid_id', 'booking_not_found', 'booking_not_cancellable', 'queue_unavailable'],
    }),
  },
  '/v1/bookings/{id}/checkout': {
    post: operation('checkout', {
      tags: ['bookings'],
      summary: 'Start paying for a held booking.',
      roles: [],
      params: [idParam('booking')],
      body: strict({ payment_method: { type: 'string', minLength: 1, maxLength: 64 } }, ['payment_method']),
      ok: { '202': { description: 'Checkout queued (or already in progress).', schema: obj({ booking_id: uuid, status: { type: 'string' }, checkout: { enum: ['queued', 'in_progress'] } }) } },
      errors: ['invalid_id', 'validation_failed', 'booking_not_found', 'booking_not_payable', 'queue_unavailable'],
    }),
  },
  '/v1/payments/callback': {
    post: operation('paymentCallback', {
      tags: ['payments'],
      summary: 'The payment provider\'s signed webhook (HMAC in X-Onsale-Signature); idempotent.',
      params: [{ name: 'X-Onsale-Signature', in: 'header', schema: { type: 'string' }, required: true }],
      body: { type: 'object', description: 'The provider\'s webhook payload.' },
      ok: { '200': { description: 'Received (possibly a duplicate, or ignored).', schema: obj({ received: { type: 'boolean' }, duplicate: { type: 'boolean' }, ignored: { type: 'string' } }) } },
      errors: ['invalid_signature', 'validation_failed', 'queue_unavailable', 'dependency_unavailable'],
    }),
  },
  '/v1/me/bookings': {
    get: operation('myBookings', { tags: ['bookings'], summary: 'The caller\'s bookings, newest first.', roles: [], params: pageParams, ok: { '200': { description: 'A page.', schema: obj({ items: arrayOf(ref('Booking')), next_cursor: nullable({ type: 'string' }) }) } }, errors: ['validation_failed', 'invalid_cursor'] }),
  },
  '/v1/me/tickets': {
    get: operation('myTickets', { tags: ['tickets'], summary: 'The caller\'s tickets.', roles: [], params: pageParams, ok: { '200': { description: 'A page.', schema: obj({ items: arrayOf(ref('Ticket')), next_cursor: nullable({ type: 'string' }) }) } }, errors: ['validation_failed', 'invalid_cursor'] }),
  },
  '/v1/tickets/public-key': {
    get: operation('ticketPublicKey', { tags: ['tickets'], summary: 'The Ed25519 public key that verifies ticket barcodes offline.', ok: { '200': { description: 'The key.', schema: obj({ alg: { const: 'Ed25519' }, public_key_pem: { type: 'string' }, barcode_format: { type: 'string' } }) } }, errors: [] }),
  },
  '/v1/tickets/verify': {
    post: operation('verifyTicket', {
      tags: ['tickets'],
      summary: 'Verify a scanned barcode online (signature, current version, status).',
      roles: ['organizer', 'operator'],
      body: strict({ barcode: { type: 'string' } }, ['barcode']),
      ok: { '200': { description: '`valid`, or the reason it is not.', schema: obj({ valid: { type: 'boolean' }, reason: { type: 'string' }, ticket_id: uuid }) } },
      errors: ['validation_failed'],
    }),
  },
  '/v1/tickets/{id}': {
    get: operation('getTicket', { tags: ['tickets'], summary: 'A ticket of the caller.', roles: [], params: [idParam('ticket')], ok: { '200': { description: 'The ticket.', schema: ref('Ticket') } }, errors: ['invalid_id', 'ticket_not_found'] }),
  },
  '/v1/tickets/{id}/qr.svg': {
    get: operation('getTicketQr', { tags: ['tickets'], summary: 'A ticket\'s barcode as a QR code.', roles: [], params: [idParam('ticket')], ok: { '200': { description: 'SVG.', content: { 'image/svg+xml': { schema: { type: 'string' } } } } }, errors: ['invalid_id', 'ticket_not_found'] }),
  },
  '/v1/tickets/{id}/transfer': {
    post: operation('transferTicket', {
      tags: ['tickets'],
      summary: 'Give a ticket to another account (by e-mail); its old barcode stops verifying.',
      roles: [],
      params: [idParam('ticket')],
      body: strict({ email: { type: 'string', format: 'email' } }, ['email']),
      ok: { '202': { description: 'Transfer queued.', schema: obj({ ticket_id: uuid, transfer: { const: 'queued' }, recipient: { type: 'string' } }) } },
      errors: ['invalid_id', 'validation_failed', 'ticket_not_found', 'ticket_not_transferable', 'recipient_not_found', 'queue_unavailable'],
    }),
  },

  // ---------- operators ----------
  '/v1/ops/partitions': {
    get: operation('opsPartitions', { tags: ['operators'], summary: 'Every partition: queue depth, consumers, epoch, owner, rates, and its events\' progress.', roles: ['operator'], ok: { '200': { description: 'Partitions.', schema: obj({ partitions: arrayOf({ type: 'object' }) }) } }, errors: ['queue_unavailable', 'dependency_unavailable'] }),
  },
  '/v1/ops/payments': {
    get: operation('opsPayments', { tags: ['operators'], summary: 'Payment breaker state per worker, provider calls, refunds, e-mail outbox.', roles: ['operator'], ok: { '200': { description: 'Payment health.', schema: { type: 'object' } } }, errors: ['dependency_unavailable'] }),
  },
  '/v1/events/{id}/challenge': {
    get: operation('getChallenge', {
      tags: ['bookings'],
      summary: 'A proof-of-work challenge bound to the caller and the event (stateless to issue); bits is the event\'s pow_bits (0: none needed).',
      roles: [],
      params: [idParam('event')],
      ok: { '200': { description: 'The challenge.', schema: obj({ challenge: { type: 'string' }, bits: { type: 'integer', minimum: 0, maximum: 26 }, expires_at: dateTime }, ['challenge', 'bits', 'expires_at']) } },
      errors: ['invalid_id', 'event_not_found'],
    }),
  },
  '/v1/events/{id}/presales': {
    post: operation('createPresale', {
      tags: ['organizer'],
      summary: 'Create a presale window before the on-sale time, with codes (shown once, stored hashed) and/or invited e-mail addresses.',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      body: strict(
        {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          starts_at: dateTime,
          ends_at: { ...dateTime, description: 'After starts_at, by on_sale_at.' },
          codes: strict({ count: { type: 'integer', minimum: 1, maximum: 10000 }, uses_per_code: { type: 'integer', minimum: 1, maximum: 1000000 } }, ['count', 'uses_per_code']),
          allowed_emails: arrayOf({ type: 'string', format: 'email' }, { minItems: 1, maxItems: 10000 }),
          max_per_user: { type: 'integer', minimum: 1, maximum: 1000, description: 'Presale bookings per account.' },
        },
        ['name', 'starts_at', 'ends_at'],
        { description: 'codes and/or allowed_emails.' },
      ),
      ok: {
        '201': {
          description: 'The presale and its codes (shown once).',
          schema: obj({ presale_id: uuid, event_id: uuid, name: { type: 'string' }, starts_at: dateTime, ends_at: dateTime, max_per_user: nullable({ type: 'integer' }), codes: arrayOf({ type: 'string' }), uses_per_code: { type: 'integer' }, allowed_emails: { type: 'integer' } }),
        },
      },
      errors: ['invalid_id', 'validation_failed', 'invalid_range', 'event_not_found', 'event_not_editable'],
    }),
    get: operation('listPresales', {
      tags: ['organizer'],
      summary: 'The event\'s presales and their use (holds granted).',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      ok: {
        '200': {
          description: 'Presales.',
          schema: obj({
            event_id: uuid,
            presales: arrayOf(obj({ presale_id: uuid, name: { type: 'string' }, starts_at: dateTime, ends_at: dateTime, open: { type: 'boolean' }, max_per_user: nullable({ type: 'integer' }), codes: { type: 'integer' }, uses_allowed: { type: 'integer' }, allowed_emails: { type: 'integer' }, holds_granted: { type: 'integer' } })),
          }),
        },
      },
      errors: ['invalid_id', 'event_not_found'],
    }),
  },
  '/v1/events/{id}/queue-mode': {
    put: operation('setQueueMode', {
      tags: ['organizer'],
      summary: 'Draw the waiting room at the on-sale time or keep arrival order; until the on-sale time (the single writer applies it).',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      body: strict({ queue_mode: { enum: ['draw', 'fifo'] } }, ['queue_mode']),
      ok: { '202': { description: 'Change queued.', schema: obj({ event_id: uuid, queue_mode: { enum: ['draw', 'fifo'] }, change: { const: 'queued' } }) } },
      errors: ['invalid_id', 'validation_failed', 'event_not_found', 'queue_mode_locked', 'queue_unavailable'],
    }),
  },
  '/v1/ops/events/{id}/draw': {
    get: operation('getDraw', {
      tags: ['operators'],
      summary: 'The waiting room and its draw: state, when, how many, and the audit record (seed, digests, how to verify). Organizer of the event or operator.',
      roles: ['organizer', 'operator'],
      params: [idParam('event')],
      ok: {
        '200': {
          description: 'The draw.',
          schema: obj({
            event_id: uuid,
            queue_mode: { enum: ['draw', 'fifo'] },
            draw_at: dateTime,
            state: { enum: ['pending', 'drawn', 'not_drawn_fifo'] },
            waiting_room: { type: 'integer', description: 'Requests queued from before the on-sale time, not decided yet.' },
            drawn_at: dateTime,
            entries: { type: 'integer' },
            audit: obj({ algorithm: { type: 'string' }, seed: { type: 'string' }, input_digest: { type: 'string' }, order_digest: { type: 'string' }, worker_id: nullable({ type: 'string' }), epoch: nullable({ type: 'integer' }), how_to_verify: { type: 'string' } }),
          }),
        },
      },
      errors: ['invalid_id', 'event_not_found'],
    }),
  },
  '/v1/ops/events/{id}/throttle': {
    put: operation('throttleEvent', {
      tags: ['operators'],
      summary: 'Set (or remove, with null) an event\'s processing rate, live and durably.',
      roles: ['operator'],
      params: [idParam('event')],
      body: strict({ per_second: nullable({ type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 }) }, ['per_second']),
      ok: { '200': { description: 'The settings now.', schema: obj({ event_id: uuid, throttle_per_s: nullable({ type: 'number' }), paused: { type: 'boolean' } }) } },
      errors: ['invalid_id', 'validation_failed', 'event_not_found', 'queue_unavailable'],
    }),
  },
  '/v1/ops/events/{id}/pause': {
    post: operation('pauseEvent', { tags: ['operators'], summary: 'Pause an event\'s processing (requests wait in its queue).', roles: ['operator'], params: [idParam('event')], ok: { '200': { description: 'The settings now.', schema: obj({ event_id: uuid, throttle_per_s: nullable({ type: 'number' }), paused: { type: 'boolean' } }) } }, errors: ['invalid_id', 'event_not_found', 'queue_unavailable'] }),
  },
  '/v1/ops/events/{id}/resume': {
    post: operation('resumeEvent', { tags: ['operators'], summary: 'Resume an event\'s processing.', roles: ['operator'], params: [idParam('event')], ok: { '200': { description: 'The settings now.', schema: obj({ event_id: uuid, throttle_per_s: nullable({ type: 'number' }), paused: { type: 'boolean' } }) } }, errors: ['invalid_id', 'event_not_found', 'queue_unavailable'] }),
  },
};

/** The document (built once; it never changes while the process runs). */
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
    { name: 'accounts' }, { name: 'events', description: 'Search and event pages (read side: may be seconds stale).' }, { name: 'venues' },
    { name: 'organizer', description: 'Role organizer (own resources) or operator.' }, { name: 'bookings' }, { name: 'payments' }, { name: 'tickets' },
    { name: 'operators' }, { name: 'health' }, { name: 'docs' },
  ],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From /v1/auth/login or /v1/auth/register (`sub`, `role`, `exp`).' } },
    schemas,
  },
  paths,
};
