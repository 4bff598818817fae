import { randomUUID } from 'node:crypto';
import { withTransaction, type Pool } from '../../shared/db/pool';
import type { ConfirmPublisher } from '../../shared/amqp/publisher';
import {
  sectionSeatCount,
  type CreateEventBody,
  type EventLayout,
  type ReservedSectionLayout,
} from '../../shared/contracts/events';
import { AppError } from '../../shared/errors';
import { partitionFor } from '../../shared/partition';
import { toCents } from '../../shared/money';
import { refreshEventSearch } from '../../shared/sql/refresh-event-search';
import { getVenueRow } from '../read-model/venue-details';
import type { VenueSection } from './create-venue';

/**
 * The layout the single writer expands, from an event body: general admission, compact sections, or
 * the venue's own sections (rows of their real lengths, in the venue's rank order) priced by tier.
 * A venue section in no tier is not sold. Pure; throws 400 `invalid_layout` naming unknown sections.
 */
export function resolveLayout(body: CreateEventBody, venueSections: VenueSection[] | null): EventLayout {
  if ('general_admission' in body)
    return {
      kind: 'general_admission',
      capacity: body.general_admission.capacity,
      price_cents: toCents(body.general_admission.price),
    };
  if ('sections' in body) {
    return {
      kind: 'reserved',
      sections: body.sections.map((s) => ({
        name: s.name,
        rows: s.rows,
        seats_per_row: s.seats_per_row,
        price_cents: toCents(s.price),
        price_tier: s.price_tier ?? s.name,
      })),
    };
  }
  const known = new Set((venueSections ?? []).map((s) => s.name));
  const unknown = body.price_tiers.flatMap((t, i) =>
    t.sections
      .filter((s) => !known.has(s))
      .map((s) => ({ path: `price_tiers.${i}.sections`, message: `the venue has no section ${s}` })),
  );
  if (unknown.length) throw new AppError('invalid_layout', undefined, unknown);
  const tierOf = new Map(body.price_tiers.flatMap((t) => t.sections.map((s) => [s, t] as const)));
  const sections: ReservedSectionLayout[] = [];
  for (const vs of venueSections ?? []) {
    const tier = tierOf.get(vs.name);
    if (!tier) continue;
    const longest = Math.max(...vs.row_lengths);
    const even = vs.row_lengths.every((l) => l === longest);
    sections.push({
      name: vs.name,
      rows: vs.row_lengths.length,
      seats_per_row: longest,
      ...(even ? {} : { row_lengths: vs.row_lengths }),
      price_cents: toCents(tier.price),
      price_tier: tier.name,
    });
  }
  return { kind: 'reserved', sections };
}

export function layoutCapacity(layout: EventLayout): number {
  return layout.kind === 'general_admission'
    ? layout.capacity
    : layout.sections.reduce((n, s) => n + sectionSeatCount(s), 0);
}

/**
 * Creates an event: the row (metadata and compact layout), its performers and search document in
 * PostgreSQL, then an `inventory.init` command to the event's partition. From then on only the
 * partition's single writer touches its inventory: it expands the layout into seats and commits them.
 */
export async function createEvent(
  deps: { pool: Pool; publisher: ConfirmPublisher; partitions: number },
  organizerId: string,
  body: CreateEventBody,
  correlationId?: string,
): Promise<{ id: string; partition: number }> {
  const id = randomUUID();
  if (body.partition !== undefined && body.partition >= deps.partitions) {
    throw new AppError('validation_failed', undefined, [
      { path: 'partition', message: `must be below the partition count (${deps.partitions})` },
    ]);
  }
  const partition = body.partition ?? partitionFor(id, deps.partitions);
  let venueSections: VenueSection[] | null = null;
  if (body.venue_id) {
    const venue = await getVenueRow(deps.pool, body.venue_id);
    if (!venue) throw new AppError('venue_not_found');
    venueSections = venue.layout.sections;
  }
  const layout = resolveLayout(body, venueSections);
  const capacity = layoutCapacity(layout);
  const performerIds = [...new Set(body.performer_ids ?? [])];
  await assertPerformersExist(deps.pool, performerIds);
  await withTransaction(deps.pool, async (client) => {
    await client.query({
      name: 'insert-event',
      text: `INSERT INTO events (id, organizer_id, name, starts_at, on_sale_at, hold_seconds, max_per_user, partition, kind, layout, capacity,
                                 description, category, venue_id, ends_at, partition_pinned, queue_mode, pow_bits)
             VALUES ($1, $2, $3, $4, COALESCE($5::timestamptz, now()), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      values: [
        id,
        organizerId,
        body.name,
        body.starts_at,
        body.on_sale_at ?? null,
        body.hold_seconds,
        body.max_per_user,
        partition,
        layout.kind,
        JSON.stringify(layout),
        capacity,
        body.description ?? '',
        body.category ?? 'other',
        body.venue_id ?? null,
        body.ends_at ?? null,
        body.partition !== undefined,
        body.queue_mode ?? 'draw',
        body.pow_bits ?? 0,
      ],
    });
    await setEventPerformers(client, id, performerIds);
    await refreshEventSearch(client, [id]);
  });
  try {
    await deps.publisher.publishCommand(partition, {
      type: 'inventory.init',
      event_id: id,
      ...(correlationId ? { correlation_id: correlationId } : {}),
    });
  } catch (err) {
    // Without its init command the event could never get inventory: undo, and let the caller retry.
    await deps.pool.query('DELETE FROM events WHERE id = $1', [id]);
    throw err;
  }
  return { id, partition };
}

/** 404 `performer_not_found` (listing the missing ids) unless every performer exists. */
export async function assertPerformersExist(pool: Pool, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const { rows } = await pool.query<{ id: string }>({
    name: 'performers-exist',
    text: 'SELECT id FROM performers WHERE id = ANY($1::uuid[])',
    values: [ids],
  });
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((i) => !found.has(i));
  if (missing.length)
    throw new AppError(
      'performer_not_found',
      undefined,
      missing.map((m) => ({ path: 'performer_ids', message: `no performer ${m}` })),
    );
}

/** Replaces an event's performers, in the order given (headliner first). */
export async function setEventPerformers(
  client: { query: Pool['query'] },
  eventId: string,
  performerIds: readonly string[],
): Promise<void> {
  await client.query({
    name: 'delete-event-performers',
    text: 'DELETE FROM event_performers WHERE event_id = $1',
    values: [eventId],
  });
  if (!performerIds.length) return;
  await client.query({
    name: 'insert-event-performers',
    text: `INSERT INTO event_performers (event_id, performer_id, position) SELECT $1, p, o - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS t(p, o)`,
    values: [eventId, performerIds],
  });
}
