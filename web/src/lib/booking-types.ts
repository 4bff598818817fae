import type { PushStatus } from '../../../shared/contracts/socket';

/** `GET /v1/bookings/:id` (shared/read/booking-status.ts), merged with `booking.result` pushes. */
export interface BookingView {
  booking_id: string;
  event_id: string;
  status: PushStatus;
  seq?: number | null;
  seats?: string[];
  quantity?: number;
  amount_cents?: number;
  hold_expires_at?: string;
  reason?: string;
  position?: number;
  decided_at?: string;
}

/** "Floor-3-12" → "Floor, row 3, seat 12" (ids named otherwise stay as they are). */
export function seatName(id: string): string {
  const m = /^(.*)-(\d+)-(\d+)$/.exec(id);
  return m ? `${m[1]}, row ${m[2]}, seat ${m[3]}` : id;
}
