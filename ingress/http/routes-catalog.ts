import {
  createPerformerSchema,
  createVenueSchema,
  searchQuerySchema,
  updatePerformerSchema,
  updateVenueSchema,
  venueSeatsQuerySchema,
} from '../../shared/contracts/catalog';
import { createEventSchema, updateEventSchema } from '../../shared/contracts/events';
import { seatsQuerySchema } from '../../shared/contracts/http';
import type { RouteContract } from './route-table';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const EVENT = { id: "The event's id." };
const VENUE = { id: "The venue's id." };
const PERFORMER = { id: "The performer's id." };

/** The catalog: search, event pages and seat maps; organizers' events, venues and performers. */
export const CATALOG_ROUTES = {
  searchEvents: {
    method: 'get',
    path: '/v1/events/search',
    operationId: 'searchEvents',
    tags: ['events'],
    summary: 'Search upcoming events: typo-tolerant full text, filters, sorts, cursor paging.',
    description:
      '`q` matches event name and performers (strongest), venue, city and category, accent- and case-insensitive; misspelt words are corrected against the words events contain ("tayler swfit" finds Taylor Swift) and the last word also matches as a prefix. Only scheduled (not cancelled) events from now on (or from start_date) are found. Each hit\'s availability may be a few seconds old. Paging is keyset-based: events added meanwhile never cause duplicates or gaps. With available_only a page may hold fewer than `limit` items; only a null `next_cursor` means the end. An inverted range (start_date after end_date, min_price above max_price) is 400 invalid_range.',
    query: searchQuerySchema,
    responses: { '200': { description: 'A page of hits.', schema: ref('SearchResponse') } },
    errors: ['validation_failed', 'invalid_range', 'invalid_cursor', 'dependency_unavailable'],
  },
  createEvent: {
    method: 'post',
    path: '/v1/events',
    operationId: 'createEvent',
    tags: ['organizer'],
    summary: "Create an event; the partition's single writer then creates its inventory.",
    description:
      "Answers once the event row exists and its `inventory.init` command is confirmed into the event's partition queue; `inventory_ready` turns true when the worker has committed the seats. `ends_at` not after `starts_at` is 400 invalid_range.",
    roles: ['organizer', 'operator'],
    body: createEventSchema,
    responses: {
      '201': {
        description: 'Created.',
        schema: ref('EventPage'),
        headers: { Location: { schema: { type: 'string' } } },
      },
    },
    errors: [
      'validation_failed',
      'invalid_range',
      'invalid_layout',
      'venue_not_found',
      'performer_not_found',
      'queue_unavailable',
      'dependency_unavailable',
    ],
  },
  getEvent: {
    method: 'get',
    path: '/v1/events/:id',
    operationId: 'getEvent',
    tags: ['events'],
    summary: 'Event page: event, venue, performers, price tiers, availability, on-sale state.',
    description:
      'Cached aside in Redis (EVENT_CACHE_TTL_S, dropped on every organizer change); served from PostgreSQL when Redis is down.',
    params: EVENT,
    responses: { '200': { description: 'The event.', schema: ref('EventPage') } },
    errors: ['invalid_id', 'event_not_found', 'dependency_unavailable'],
  },
  updateEvent: {
    method: 'patch',
    path: '/v1/events/:id',
    operationId: 'updateEvent',
    tags: ['organizer'],
    summary: "Change an event's catalog fields (its organizer or an operator).",
    roles: ['organizer', 'operator'],
    params: EVENT,
    body: updateEventSchema,
    responses: { '200': { description: 'The event after the change.', schema: ref('EventPage') } },
    errors: [
      'invalid_id',
      'validation_failed',
      'invalid_range',
      'event_not_found',
      'performer_not_found',
      'event_not_editable',
    ],
  },
  getSeatMap: {
    method: 'get',
    path: '/v1/events/:id/seats',
    operationId: 'getSeatMap',
    tags: ['events'],
    summary: "Seat map: every seat with status and price, plus `as_of` (the worker's snapshot, or PostgreSQL).",
    params: EVENT,
    query: seatsQuerySchema,
    responses: {
      '200': {
        description: "Seats; coordinates for drawing are on the venue's seats (same ids).",
        schema: ref('SeatMap'),
      },
    },
    errors: ['invalid_id', 'validation_failed', 'event_not_found', 'dependency_unavailable'],
  },
  createVenue: {
    method: 'post',
    path: '/v1/venues',
    operationId: 'createVenue',
    tags: ['organizer'],
    summary: 'Create a venue with its seat layout (sections → rows → seats with coordinates, accessibility, rank).',
    roles: ['organizer', 'operator'],
    body: createVenueSchema,
    responses: { '201': { description: 'Created.', schema: ref('Venue') } },
    errors: ['validation_failed', 'invalid_layout'],
  },
  getVenue: {
    method: 'get',
    path: '/v1/venues/:id',
    operationId: 'getVenue',
    tags: ['venues'],
    summary: 'A venue and its sections.',
    params: VENUE,
    responses: { '200': { description: 'The venue.', schema: ref('Venue') } },
    errors: ['invalid_id', 'venue_not_found'],
  },
  updateVenue: {
    method: 'patch',
    path: '/v1/venues/:id',
    operationId: 'updateVenue',
    tags: ['organizer'],
    summary: "Change a venue's name, address or location (its organizer or an operator).",
    roles: ['organizer', 'operator'],
    params: VENUE,
    body: updateVenueSchema,
    responses: { '200': { description: 'The venue after the change.', schema: ref('Venue') } },
    errors: ['invalid_id', 'validation_failed', 'venue_not_found'],
  },
  getVenueSeats: {
    method: 'get',
    path: '/v1/venues/:id/seats',
    operationId: 'getVenueSeats',
    tags: ['venues'],
    summary: 'Every seat of a venue in rank order, with coordinates and accessibility.',
    params: VENUE,
    query: venueSeatsQuerySchema,
    responses: {
      '200': {
        description: 'Seats.',
        schema: {
          type: 'object',
          properties: {
            venue_id: { type: 'string', format: 'uuid' },
            seats: { type: 'array', items: ref('VenueSeat') },
          },
        },
      },
    },
    errors: ['invalid_id', 'validation_failed', 'venue_not_found'],
  },
  createPerformer: {
    method: 'post',
    path: '/v1/performers',
    operationId: 'createPerformer',
    tags: ['organizer'],
    summary: 'Create a performer.',
    roles: ['organizer', 'operator'],
    body: createPerformerSchema,
    responses: { '201': { description: 'Created.', schema: ref('Performer') } },
    errors: ['validation_failed'],
  },
  getPerformer: {
    method: 'get',
    path: '/v1/performers/:id',
    operationId: 'getPerformer',
    tags: ['venues'],
    summary: 'A performer.',
    params: PERFORMER,
    responses: { '200': { description: 'The performer.', schema: ref('Performer') } },
    errors: ['invalid_id', 'performer_not_found'],
  },
  updatePerformer: {
    method: 'patch',
    path: '/v1/performers/:id',
    operationId: 'updatePerformer',
    tags: ['organizer'],
    summary: "Change a performer (its organizer or an operator); its events' search documents follow.",
    roles: ['organizer', 'operator'],
    params: PERFORMER,
    body: updatePerformerSchema,
    responses: { '200': { description: 'The performer after the change.', schema: ref('Performer') } },
    errors: ['invalid_id', 'validation_failed', 'performer_not_found'],
  },
} as const satisfies Record<string, RouteContract>;
