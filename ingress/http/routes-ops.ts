import { eventSettingsSchema, throttleBodySchema } from '../../shared/contracts/http';
import { opsLiveSchema } from '../../shared/contracts/ops-live';
import type { RouteContract } from './route-table';

/** Operators: partitions, payment health, and an event's live settings. */
export const OPS_ROUTES = {
  opsPartitions: {
    method: 'get',
    path: '/v1/ops/partitions',
    operationId: 'opsPartitions',
    tags: ['operators'],
    summary: "Every partition: queue depth, consumers, epoch, owner, rates, and its events' progress.",
    roles: ['operator'],
    responses: {
      '200': {
        description: 'Partitions.',
        schema: {
          type: 'object',
          properties: {
            partitions: { type: 'array', items: { type: 'object' } },
            payment_breakers: { type: 'array', items: { type: 'object' } },
          },
        },
      },
    },
    errors: ['queue_unavailable', 'dependency_unavailable'],
  },
  opsLive: {
    method: 'get',
    path: '/v1/ops/live',
    operationId: 'opsLive',
    tags: ['operators'],
    summary:
      'One snapshot for the operations console: per event accepted, decided, parked, holds expiring; per partition queue depth; breaker; sockets.',
    roles: ['operator'],
    responses: { '200': { description: 'The snapshot.', schema: opsLiveSchema } },
    errors: ['dependency_unavailable'],
  },
  opsPayments: {
    method: 'get',
    path: '/v1/ops/payments',
    operationId: 'opsPayments',
    tags: ['operators'],
    summary: 'Payment breaker state per worker, provider calls, refunds, e-mail outbox.',
    roles: ['operator'],
    responses: { '200': { description: 'Payment health.', schema: { type: 'object' } } },
    errors: ['dependency_unavailable'],
  },
  throttleEvent: {
    method: 'put',
    path: '/v1/ops/events/:id/throttle',
    operationId: 'throttleEvent',
    tags: ['operators'],
    summary: "Set (or remove, with null) an event's processing rate, live and durably.",
    roles: ['operator'],
    params: { id: "The event's id." },
    body: throttleBodySchema,
    responses: { '200': { description: 'The settings now.', schema: eventSettingsSchema } },
    errors: ['invalid_id', 'validation_failed', 'event_not_found', 'queue_unavailable'],
  },
  pauseEvent: {
    method: 'post',
    path: '/v1/ops/events/:id/pause',
    operationId: 'pauseEvent',
    tags: ['operators'],
    summary: "Pause an event's processing (requests wait in its queue).",
    roles: ['operator'],
    params: { id: "The event's id." },
    responses: { '200': { description: 'The settings now.', schema: eventSettingsSchema } },
    errors: ['invalid_id', 'event_not_found', 'queue_unavailable'],
  },
  resumeEvent: {
    method: 'post',
    path: '/v1/ops/events/:id/resume',
    operationId: 'resumeEvent',
    tags: ['operators'],
    summary: "Resume an event's processing.",
    roles: ['operator'],
    params: { id: "The event's id." },
    responses: { '200': { description: 'The settings now.', schema: eventSettingsSchema } },
    errors: ['invalid_id', 'event_not_found', 'queue_unavailable'],
  },
} as const satisfies Record<string, RouteContract>;
