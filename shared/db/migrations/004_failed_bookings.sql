-- Up Migration

-- A booking whose command was dead-lettered (malformed, or the delivery limit was reached) ends
-- `failed`, with a reason, through its partition's single writer: invariant 2 holds for it too.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
  CHECK (status IN ('queued', 'held', 'rejected', 'payment_pending', 'confirmed', 'expired', 'cancelled', 'refunded', 'failed'));
