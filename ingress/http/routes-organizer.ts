import { organizerOverviewSchema } from '../../shared/contracts/organizer';
import type { RouteContract } from './route-table';

/** Organizers: their venues (to create events from) and their events' sales. */
export const ORGANIZER_ROUTES = {
  organizerOverview: {
    method: 'get',
    path: '/v1/organizer/overview',
    operationId: 'organizerOverview',
    tags: ['organizer'],
    summary:
      "The caller's venues (with section names) and events with sales: sold, held, available, queued, orders and revenue. Operators see everyone's.",
    roles: ['organizer', 'operator'],
    responses: { '200': { description: 'Venues and sales.', schema: organizerOverviewSchema } },
    errors: ['dependency_unavailable'],
  },
} as const satisfies Record<string, RouteContract>;
