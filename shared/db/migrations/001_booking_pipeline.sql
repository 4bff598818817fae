-- Up Migration

-- One row per booking partition. `epoch` is the fencing token: a worker that becomes the active
-- consumer of a partition bumps it, and every batch commit checks it.
CREATE TABLE partitions (
  id             integer PRIMARY KEY,
  epoch          bigint      NOT NULL DEFAULT 0,
  owner          text,
  activated_at   timestamptz,
  last_commit_at timestamptz
);

CREATE TABLE events (
  id              uuid PRIMARY KEY,
  organizer_id    text        NOT NULL,
  name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  starts_at       timestamptz NOT NULL,
  on_sale_at      timestamptz NOT NULL DEFAULT now(),
  hold_seconds    integer     NOT NULL DEFAULT 600 CHECK (hold_seconds BETWEEN 1 AND 86400),
  max_per_user    integer     NOT NULL DEFAULT 8 CHECK (max_per_user BETWEEN 1 AND 1000),
  partition       integer     NOT NULL CHECK (partition >= 0),
  kind            text        NOT NULL CHECK (kind IN ('reserved', 'general_admission')),
  -- The compact description the organizer sent; the worker expands it into seats.
  layout          jsonb       NOT NULL,
  capacity        integer     NOT NULL CHECK (capacity >= 0),
  -- General admission only: units left. Written by the partition's single writer.
  ga_available    integer,
  inventory_ready boolean     NOT NULL DEFAULT false,
  -- Operator settings: durable, read by whichever worker is active.
  throttle_per_s  double precision CHECK (throttle_per_s IS NULL OR throttle_per_s > 0),
  paused          boolean     NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_partition_idx ON events (partition);

-- Reserved seating. Rows are written only by the partition's single writer.
CREATE TABLE seats (
  event_id    uuid    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  id          text    NOT NULL,
  section     text    NOT NULL,
  row_number  integer NOT NULL,
  seat_number integer NOT NULL,
  -- 0 is the best seat of the event; best-available walks rank order.
  rank        integer NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  price_tier  text    NOT NULL,
  status      text    NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'held', 'sold')),
  booking_id  uuid,
  PRIMARY KEY (event_id, id),
  CHECK ((status = 'available') = (booking_id IS NULL))
);
CREATE UNIQUE INDEX seats_event_rank_idx ON seats (event_id, rank);

-- Every booking request that reached a decision (or was parked durably behind a throttle / pause).
-- No foreign key to events: a request for an unknown event is recorded as rejected too.
CREATE TABLE bookings (
  id              uuid PRIMARY KEY,
  event_id        uuid        NOT NULL,
  user_id         text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('queued', 'held', 'rejected', 'payment_pending', 'confirmed', 'expired', 'cancelled')),
  seq             bigint,
  request         jsonb       NOT NULL,
  seat_ids        text[],
  quantity        integer,
  amount_cents    integer,
  reason          text,
  hold_expires_at timestamptz,
  correlation_id  text,
  requested_at    timestamptz NOT NULL DEFAULT now(),
  decided_at      timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_event_status_idx ON bookings (event_id, status);
CREATE INDEX bookings_user_idx ON bookings (user_id, requested_at DESC);
