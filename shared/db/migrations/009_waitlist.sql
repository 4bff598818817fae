-- Up Migration

-- The waitlist (issue 12 §4): one entry per user per event while it waits; inventory that comes back
-- is offered in entry order by the event's single writer, as a hold with its own expiry.
CREATE TABLE waitlist_entries (
  id               uuid PRIMARY KEY,
  event_id         uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id          text NOT NULL,
  quantity         integer NOT NULL CHECK (quantity > 0),
  section          text,
  price_tier       text,
  max_price_cents  integer CHECK (max_price_cents >= 0),
  -- waiting → offered (an offer booking was created) | left (the user left)
  status           text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'left')),
  offer_booking_id uuid,
  offered_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  ord              bigserial NOT NULL
);
CREATE UNIQUE INDEX waitlist_one_per_user ON waitlist_entries (event_id, user_id) WHERE status = 'waiting';
CREATE INDEX waitlist_event_order ON waitlist_entries (event_id, ord);
CREATE INDEX waitlist_user ON waitlist_entries (user_id, created_at DESC);

-- Where a booking came from: the queue, or an offer to the waitlist.
ALTER TABLE bookings ADD COLUMN source text NOT NULL DEFAULT 'queue' CHECK (source IN ('queue', 'waitlist'));
