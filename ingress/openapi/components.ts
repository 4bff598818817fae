import { ERRORS, type ErrorCode } from '../../shared/errors';
import { EVENT_CATEGORIES } from '../../shared/contracts/events';
import { PERFORMER_TYPES, SEARCH_SORTS } from '../../shared/contracts/catalog';
import { ROLES } from '../../shared/auth';
import { BOOKING_STATUSES } from '../../shared/contracts/messages';
import { arrayOf, dateTime, money, nullable, obj, ref, strict, uuid, type Json } from './operation';

/** Every error code, straight from the registry (shared/errors.ts): nothing to keep in step by hand. */
export const DOCUMENTED_ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** `components.schemas` of the OpenAPI document: the shapes operations refer to with `$ref`. */
export const schemas: Json = {
  ErrorCode: {
    type: 'string',
    enum: [...DOCUMENTED_ERROR_CODES],
    description: 'Stable machine-readable error codes (shared/errors.ts).',
  },
  Error: strict(
    {
      error: strict(
        {
          code: ref('ErrorCode'),
          message: { type: 'string' },
          details: { description: 'For validation errors: `[{ path, message }]`, one per problem.' },
          request_id: {
            type: 'string',
            description: 'Also in the X-Request-Id header and every log line of the request.',
          },
        },
        ['code', 'message', 'request_id'],
      ),
    },
    ['error'],
  ),
  User: obj(
    {
      id: uuid,
      email: { type: 'string', format: 'email' },
      name: { type: 'string' },
      role: { enum: [...ROLES] },
      created_at: dateTime,
    },
    ['id', 'email', 'name', 'role'],
  ),
  TokenResponse: obj(
    {
      token: { type: 'string', description: 'HS256 JWT: `sub` = user id, `role`, `exp`.' },
      token_type: { const: 'Bearer' },
      expires_in: { type: 'integer' },
      user: ref('User'),
    },
    ['token', 'token_type', 'expires_in', 'user'],
  ),
  Availability: obj(
    {
      capacity: { type: 'integer' },
      available: { type: 'integer' },
      held: { type: 'integer' },
      sold: { type: 'integer' },
      as_of: nullable(dateTime),
      source: {
        enum: ['snapshot', 'database', 'layout'],
        description:
          "`snapshot`: the worker's Redis snapshot (seconds old at most); `database`: PostgreSQL; `layout`: inventory not created yet (full capacity).",
      },
    },
    ['capacity', 'available', 'as_of', 'source'],
  ),
  PriceRange: obj({ min: { type: 'number' }, max: { type: 'number' } }, ['min', 'max']),
  EventStatus: { enum: ['scheduled', 'on_sale', 'sold_out', 'cancelled'] },
  GeneralAdmission: strict({ capacity: { type: 'integer', minimum: 1, maximum: 10_000_000 }, price: money }, [
    'capacity',
    'price',
  ]),
  EventCatalogFields: obj({
    description: { type: 'string', maxLength: 5000 },
    category: { enum: [...EVENT_CATEGORIES], default: 'other' },
    venue_id: uuid,
    performer_ids: arrayOf(uuid, { maxItems: 20, description: 'Headliner first.' }),
    ends_at: { ...dateTime, description: 'After starts_at.' },
    partition: {
      type: 'integer',
      minimum: 0,
      description: 'Pin to this partition (below the partition count) instead of the hash of the id.',
    },
    on_sale_at: { ...dateTime, description: 'Defaults to now.' },
    hold_seconds: { type: 'integer', minimum: 1, maximum: 86400, default: 600 },
    max_per_user: { type: 'integer', minimum: 1, maximum: 1000, default: 8 },
    queue_mode: {
      enum: ['draw', 'fifo'],
      default: 'draw',
      description:
        'How the waiting room is ordered at on_sale_at: a random draw, or arrival order. Settable until on_sale_at (PUT /v1/events/{id}/queue-mode).',
    },
    pow_bits: {
      type: 'integer',
      minimum: 0,
      maximum: 26,
      default: 0,
      description:
        'Leading zero bits of the proof of work each booking must carry (0: none). See GET /v1/events/{id}/challenge.',
    },
  }),
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
      venue: nullable(
        obj({
          id: uuid,
          name: { type: 'string' },
          address: { type: 'string' },
          city: { type: 'string' },
          country: { type: 'string' },
          location: obj({ lat: { type: 'number' }, lon: { type: 'number' } }),
        }),
      ),
      performers: arrayOf(
        obj({
          id: uuid,
          name: { type: 'string' },
          type: { enum: [...PERFORMER_TYPES] },
          genre: nullable({ type: 'string' }),
        }),
      ),
      general_admission: ref('GeneralAdmission'),
      sections: arrayOf(
        obj({
          name: { type: 'string' },
          rows: { type: 'integer' },
          seats_per_row: { type: 'integer' },
          row_lengths: arrayOf({ type: 'integer' }),
          seats: { type: 'integer' },
          price: { type: 'number' },
          price_tier: { type: 'string' },
        }),
      ),
      price_tiers: arrayOf(
        obj({ name: { type: 'string' }, price: { type: 'number' }, sections: arrayOf({ type: 'string' }) }),
      ),
      price_range: ref('PriceRange'),
      status: ref('EventStatus'),
      on_sale: obj({
        at: dateTime,
        open: { type: 'boolean' },
        queue_opens_at: {
          ...dateTime,
          description:
            'When requests start to be accepted into the queue (WAITING_ROOM_MINUTES before the on-sale time).',
        },
        queue_open: { type: 'boolean' },
      }),
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
      on_sale: obj({
        at: dateTime,
        open: { type: 'boolean' },
        queue_opens_at: {
          ...dateTime,
          description:
            'When requests start to be accepted into the queue (WAITING_ROOM_MINUTES before the on-sale time).',
        },
        queue_open: { type: 'boolean' },
      }),
      venue: nullable(obj({ id: uuid, name: { type: 'string' }, city: { type: 'string' } })),
      performers: arrayOf(obj({ id: uuid, name: { type: 'string' } })),
      price_range: ref('PriceRange'),
      availability: obj({
        capacity: { type: 'integer' },
        available: { type: 'integer' },
        sold_out: { type: 'boolean' },
        as_of: nullable(dateTime),
        source: { type: 'string' },
      }),
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
        words: arrayOf(
          obj({ word: { type: 'string' }, matches: arrayOf({ type: 'string' }), prefix: { type: 'boolean' } }),
          { description: 'How each typed word was read (spelling correction).' },
        ),
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
          arrayOf(
            strict(
              {
                seats: { type: 'integer', minimum: 1, maximum: 500 },
                accessible: arrayOf({ type: 'integer', minimum: 1 }),
              },
              ['seats'],
            ),
            { minItems: 1, maxItems: 500, description: 'Row 1 (front) first, each with its own length.' },
          ),
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
    sections: arrayOf(
      obj({
        name: { type: 'string' },
        rows: { type: 'integer' },
        row_lengths: arrayOf({ type: 'integer' }),
        seats: { type: 'integer' },
        accessible_seats: { type: 'integer' },
      }),
    ),
    created_at: dateTime,
    updated_at: dateTime,
  }),
  VenueSeat: obj({
    id: { type: 'string', description: "`<section>-<row>-<seat>`, the same id the event's seat has." },
    section: { type: 'string' },
    row: { type: 'integer' },
    number: { type: 'integer' },
    rank: { type: 'integer', description: '0 = best.' },
    x: { type: 'number' },
    y: { type: 'number' },
    accessible: { type: 'boolean' },
  }),
  Performer: obj({
    id: uuid,
    organizer_id: { type: 'string' },
    name: { type: 'string' },
    type: { enum: [...PERFORMER_TYPES] },
    genre: nullable({ type: 'string' }),
    created_at: dateTime,
    updated_at: dateTime,
  }),
  Booking: obj(
    {
      booking_id: uuid,
      event_id: uuid,
      user_id: { type: 'string' },
      status: { enum: [...BOOKING_STATUSES] },
      seq: {
        ...nullable({ type: 'integer' }),
        description:
          "The request's number in its event's queue (position = seq − the event's watermark). null in a waiting room that is drawn, until the draw.",
      },
      position: {
        ...nullable({ type: 'integer' }),
        description: 'While queued: 1 = next. null in a waiting room that is drawn, until the draw (draw_at).',
      },
      queue: {
        enum: ['waiting_room', 'line', 'presale'],
        description: 'While queued: waiting for the draw, in line with a position, or a presale booking being decided.',
      },
      draw_at: { ...dateTime, description: 'While queue is waiting_room: when the order is drawn (the on-sale time).' },
      source: { enum: ['waitlist'], description: "A hold offered to the user's waitlist entry." },
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
    seats: arrayOf(
      obj({
        id: { type: 'string' },
        section: { type: 'string' },
        row: { type: 'integer' },
        number: { type: 'integer' },
        price: { type: 'number' },
        price_tier: { type: 'string' },
        status: { enum: ['available', 'held', 'sold'] },
      }),
    ),
  }),
};
