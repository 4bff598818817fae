-- Up Migration

-- The draw (issue 12): an event's waiting room is either drawn at the on-sale time (uniformly random
-- order, the default) or served first come, first served. Settable until the on-sale time.
ALTER TABLE events ADD COLUMN queue_mode text NOT NULL DEFAULT 'draw' CHECK (queue_mode IN ('draw', 'fifo'));

-- Proof of work at the door: leading zero bits a booking's proof must have (0 = none asked).
ALTER TABLE events ADD COLUMN pow_bits integer NOT NULL DEFAULT 0 CHECK (pow_bits BETWEEN 0 AND 26);

-- A drawn booking keeps the sequence number ingress stamped on arrival here; `seq` becomes its drawn
-- sequence number (the waiting room's own numbers, permuted), so positions count from it.
ALTER TABLE bookings ADD COLUMN arrival_seq bigint;

-- One row per drawn event, written in the same transaction as the drawn sequence numbers: the draw is
-- durable and never repeated. `seed` and the two digests let an auditor recompute the permutation.
CREATE TABLE event_draws (
  event_id      uuid PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
  drawn_at      timestamptz NOT NULL,
  entries       integer NOT NULL CHECK (entries >= 0),
  algorithm     text NOT NULL,
  seed          text NOT NULL,
  input_digest  text NOT NULL,
  order_digest  text NOT NULL,
  worker_id     text,
  epoch         bigint
);
