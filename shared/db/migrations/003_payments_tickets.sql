-- Up Migration

-- Checkout, payments, orders, tickets, refunds and the confirmation e-mail outbox.
-- Booking, order and ticket rows are written only by the event partition's single writer, in the
-- same transaction as the decision (booking-workers/sql/commit-batch.ts). `payments` rows are written
-- by the payment stage (competing consumers) and `payment_callbacks` by ingress: neither is booking state.

-- An organizer may forbid buyer cancellations (refunds) for an event; an event can be cancelled.
ALTER TABLE events ADD COLUMN refundable   boolean     NOT NULL DEFAULT true;
ALTER TABLE events ADD COLUMN cancelled_at timestamptz;

-- held → payment_pending → confirmed → cancelled → refunded
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
  CHECK (status IN ('queued', 'held', 'rejected', 'payment_pending', 'confirmed', 'expired', 'cancelled', 'refunded'));
-- Price at checkout: amount_cents (seats) + fees_cents = total_cents, computed by the worker.
ALTER TABLE bookings ADD COLUMN fees_cents       integer CHECK (fees_cents >= 0);
ALTER TABLE bookings ADD COLUMN total_cents      integer CHECK (total_cents >= 0);
ALTER TABLE bookings ADD COLUMN payment_method   text;
-- Checkouts so far; attempt n has the idempotency key `<booking id>:a<n>`.
ALTER TABLE bookings ADD COLUMN payment_attempts integer NOT NULL DEFAULT 0;
-- The provider charge that paid for the booking (or, after a late payment, the one being refunded).
ALTER TABLE bookings ADD COLUMN charge_id        text;

-- One row per call to the provider (attempt id = idempotency key), kept by the payment stage.
CREATE TABLE payments (
  id                 text PRIMARY KEY,
  kind               text        NOT NULL CHECK (kind IN ('charge', 'refund')),
  booking_id         uuid        NOT NULL,
  event_id           uuid        NOT NULL,
  amount_cents       integer     NOT NULL CHECK (amount_cents >= 0),
  status             text        NOT NULL CHECK (status IN ('pending', 'unavailable', 'failed')),
  provider_id        text,
  error              text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_booking_idx ON payments (booking_id);

-- Provider callbacks, deduplicated by the provider's event id. `routed_at` is set once the result is
-- confirmed by the broker into the event's partition; a redelivered callback without it is routed again.
CREATE TABLE payment_callbacks (
  provider_event_id text PRIMARY KEY,
  type              text        NOT NULL,
  booking_id        uuid,
  charge_id         text,
  payload           jsonb       NOT NULL,
  received_at       timestamptz NOT NULL DEFAULT now(),
  routed_at         timestamptz,
  outcome           text
);

CREATE TABLE orders (
  id           uuid PRIMARY KEY,
  booking_id   uuid        NOT NULL UNIQUE,
  user_id      text        NOT NULL,
  event_id     uuid        NOT NULL,
  amount_cents integer     NOT NULL,
  fees_cents   integer     NOT NULL,
  total_cents  integer     NOT NULL,
  charge_id    text        NOT NULL UNIQUE,
  status       text        NOT NULL DEFAULT 'paid' CHECK (status IN ('paid', 'cancelled', 'refunded')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC);

CREATE TABLE tickets (
  id            uuid PRIMARY KEY,
  order_id      uuid        NOT NULL REFERENCES orders (id),
  booking_id    uuid        NOT NULL,
  event_id      uuid        NOT NULL,
  -- Reserved seating: the seat. General admission: NULL, and `unit` numbers the booking's units.
  seat_id       text,
  unit          integer,
  owner_user_id text        NOT NULL,
  -- Bumped by every transfer: the barcode signs it, so an older barcode no longer verifies.
  version       integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
  status        text        NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'void')),
  barcode       text        NOT NULL UNIQUE,
  issued_at     timestamptz NOT NULL DEFAULT now(),
  -- When the current owner got it (issue or transfer): their history is ordered by it.
  owned_since   timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((seat_id IS NULL) <> (unit IS NULL))
);
-- The database's own guarantee that no seat ever has two valid tickets.
CREATE UNIQUE INDEX tickets_one_valid_per_seat ON tickets (event_id, seat_id) WHERE status = 'valid' AND seat_id IS NOT NULL;
CREATE UNIQUE INDEX tickets_one_valid_per_unit ON tickets (booking_id, unit) WHERE status = 'valid' AND unit IS NOT NULL;
CREATE INDEX tickets_owner_idx ON tickets (owner_user_id, owned_since DESC, id DESC);
CREATE INDEX tickets_booking_idx ON tickets (booking_id);

CREATE TABLE ticket_transfers (
  ticket_id    uuid        NOT NULL REFERENCES tickets (id),
  version      integer     NOT NULL,
  from_user_id text        NOT NULL,
  to_user_id   text        NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, version)
);

-- Refunds the single writer decided (id = the provider idempotency key `<booking id>:r:<charge id>`).
CREATE TABLE refunds (
  id           text PRIMARY KEY,
  booking_id   uuid        NOT NULL,
  event_id     uuid        NOT NULL,
  charge_id    text        NOT NULL UNIQUE,
  amount_cents integer     NOT NULL,
  reason       text        NOT NULL,
  status       text        NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'succeeded', 'failed')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_booking_idx ON refunds (booking_id);

-- Confirmation (and refund, transfer) e-mails, written in the batch that decided them and sent by
-- the outbox relay (booking-workers/outbox-relay.ts). `dedupe_key` makes a re-decided batch harmless.
CREATE TABLE email_outbox (
  id              bigserial PRIMARY KEY,
  dedupe_key      text        NOT NULL UNIQUE,
  user_id         text        NOT NULL,
  template        text        NOT NULL,
  payload         jsonb       NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  attempts        integer     NOT NULL DEFAULT 0,
  sent_at         timestamptz,
  last_error      text
);
CREATE INDEX email_outbox_unsent_idx ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;
