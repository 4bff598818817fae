import { randomUUID } from 'node:crypto';
import type { BookCommand } from '../../shared/contracts/messages';
import type { BenchRequest } from '../scenarios';

/** A `book` command exactly as ingress publishes it (same fields, same size: ~300 bytes of JSON). */
export function bookCommand(eventId: string, bookingId: string, req: BenchRequest, seq: number): BookCommand {
  return {
    type: 'book',
    event_id: eventId,
    booking_id: bookingId,
    user_id: req.user,
    seq,
    requested_at: new Date().toISOString(),
    request: { quantity: req.quantity, ...(req.section ? { section: req.section } : {}) },
    // Ingress stamps its request id; kept for the same message size.
    correlation_id: randomUUID(),
  };
}
