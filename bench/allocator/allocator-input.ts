import { buildInventory, type EventInventory } from '../../booking-workers/allocator/inventory';
import { expandLayout } from '../../booking-workers/allocator/layout';
import { resolveLayout } from '../../ingress/services/create-event';
import type { BookCommand } from '../../shared/contracts/messages';
import { bookCommand } from '../load/book-command';
import { eventBody, requestStream, type ScenarioSpec } from '../scenarios';

/**
 * What the allocator alone is fed for one scenario: the benchmark's own deterministic request stream
 * (same seed, order and sizes as every contender gets), turned into the very `book` commands ingress
 * publishes, and a way to build the event's inventory as the worker holds it once the event is ready.
 * Everything here is prepared before the clock starts.
 */
export interface AllocatorInput {
  spec: ScenarioSpec;
  requests: number;
  /**
   * The stream's commands freshly parsed, as the worker gets them from message bodies: new strings
   * every round, so map lookups pay for hashing the ids as they do in production.
   */
  commands: () => BookCommand[];
  /** A fresh, ready, empty inventory of the event (a new one per measured round). */
  inventory: () => EventInventory;
}

const EVENT_ID = '00000000-0000-4000-8000-00000000be7c';

export function allocatorInput(spec: ScenarioSpec): AllocatorInput {
  const body = eventBody(spec);
  const layout = resolveLayout(body, null);
  const seats = layout.kind === 'reserved' ? expandLayout(layout) : [];
  const stream = requestStream(spec);
  const json = JSON.stringify(
    stream.map((req, i) =>
      bookCommand(EVENT_ID, `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, req, i + 1),
    ),
  );
  const commands = () => JSON.parse(json) as BookCommand[];
  const inventory = () =>
    buildInventory({
      eventId: EVENT_ID,
      kind: layout.kind,
      ready: true,
      holdSeconds: body.hold_seconds,
      maxPerUser: body.max_per_user,
      onSaleAt: 0,
      settings: { throttlePerS: null, paused: false },
      capacity: layout.kind === 'reserved' ? seats.length : layout.capacity,
      gaPriceCents: layout.kind === 'general_admission' ? layout.price_cents : 0,
      gaAvailable: layout.kind === 'general_admission' ? layout.capacity : null,
      // Each round gets its own copies: repricing-style edits must not leak between rounds.
      seats: seats.map((s) => ({ ...s })),
      bookings: [],
    });
  return { spec, requests: stream.length, commands, inventory };
}
