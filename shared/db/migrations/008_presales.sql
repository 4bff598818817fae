-- Up Migration

-- Presales (issue 12 §3): windows before the general on-sale open to codes or to invited accounts.
-- Code uses and per-user limits are decided by the event's single writer; a use is a booking that got
-- a hold with the code (`bookings.presale_code_hash`), so the count is durable with the booking itself.
CREATE TABLE presales (
  id            uuid PRIMARY KEY,
  event_id      uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
  max_per_user  integer CHECK (max_per_user > 0),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX presales_event_idx ON presales (event_id);

-- Codes are shown once at creation and stored as SHA-256 hashes only.
CREATE TABLE presale_codes (
  code_hash     text PRIMARY KEY,
  presale_id    uuid NOT NULL REFERENCES presales(id) ON DELETE CASCADE,
  uses_per_code integer NOT NULL CHECK (uses_per_code > 0)
);
CREATE INDEX presale_codes_presale_idx ON presale_codes (presale_id);

CREATE TABLE presale_emails (
  presale_id    uuid NOT NULL REFERENCES presales(id) ON DELETE CASCADE,
  email         text NOT NULL,
  PRIMARY KEY (presale_id, email)
);
CREATE INDEX presale_emails_email_idx ON presale_emails (email);

ALTER TABLE bookings ADD COLUMN presale_id uuid, ADD COLUMN presale_code_hash text;
CREATE INDEX bookings_presale_code_idx ON bookings (presale_code_hash) WHERE presale_code_hash IS NOT NULL;
CREATE INDEX bookings_presale_user_idx ON bookings (presale_id, user_id) WHERE presale_id IS NOT NULL;
