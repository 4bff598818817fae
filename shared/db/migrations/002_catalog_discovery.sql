-- Up Migration

-- Catalog and discovery: accounts, venues with seat layouts, performers, event metadata and search.
-- Nothing here is inventory: seats, availability and bookings stay with the partition's single writer.

-- All trusted extensions (PostgreSQL 13+): a database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- Case- and accent-folded text ("Zürich" → "zurich"). unaccent() is only STABLE (its dictionary could
-- change); naming the dictionary makes this wrapper safe to declare IMMUTABLE and use in indexes.
CREATE FUNCTION onsale_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- An event's search document from its parts: name and performers weigh most (A), then the venue (B),
-- city and category (C), performers' genres (D). Accent-folded; the `simple` configuration keeps names
-- as they are (no stemming, no stop words). One definition for ingress and the catalog generator.
CREATE FUNCTION onsale_search_document(name text, performers text, venue text, city text, category text, genres text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('simple', onsale_fold(coalesce(name, ''))), 'A')
            || setweight(to_tsvector('simple', onsale_fold(coalesce(performers, ''))), 'A')
            || setweight(to_tsvector('simple', onsale_fold(coalesce(venue, ''))), 'B')
            || setweight(to_tsvector('simple', onsale_fold(coalesce(city, ''))), 'C')
            || setweight(to_tsvector('simple', onsale_fold(coalesce(category, ''))), 'C')
            || setweight(to_tsvector('simple', onsale_fold(coalesce(genres, ''))), 'D') $$;

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  -- bcrypt hash (bcryptjs), never the password.
  password_hash text        NOT NULL,
  name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role          text        NOT NULL DEFAULT 'buyer' CHECK (role IN ('buyer', 'organizer', 'operator')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- E-mails are unique whatever their case.
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

CREATE TABLE venues (
  id                uuid PRIMARY KEY,
  organizer_id      text             NOT NULL,
  name              text             NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  address           text             NOT NULL DEFAULT '',
  city              text             NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
  country           text             NOT NULL DEFAULT '',
  lat               double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon               double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  -- Seated sections in rank order (best first): `[{ name, row_lengths: [seats in row 1, …] }]`.
  layout            jsonb            NOT NULL,
  seated_capacity   integer          NOT NULL CHECK (seated_capacity >= 0),
  standing_capacity integer          NOT NULL DEFAULT 0 CHECK (standing_capacity >= 0),
  created_at        timestamptz      NOT NULL DEFAULT now(),
  updated_at        timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX venues_organizer_idx ON venues (organizer_id);
CREATE INDEX venues_city_idx ON venues (onsale_fold(city));
-- `near=lat,lon&radius_km=`: earth_box(…) @> ll_to_earth(lat, lon) uses this.
CREATE INDEX venues_geo_idx ON venues USING gist (ll_to_earth(lat, lon));

-- Every seat of a venue, for drawing the map. Ids `<section>-<row>-<seat>` and ranks are the ones the
-- single writer generates for an event at this venue (booking-workers/allocator/layout.ts).
CREATE TABLE venue_seats (
  venue_id    uuid    NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
  id          text    NOT NULL,
  section     text    NOT NULL,
  row_number  integer NOT NULL,
  seat_number integer NOT NULL,
  -- 0 is the venue's best seat.
  rank        integer NOT NULL,
  x           real    NOT NULL,
  y           real    NOT NULL,
  accessible  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (venue_id, id)
);

CREATE TABLE performers (
  id           uuid PRIMARY KEY,
  organizer_id text        NOT NULL,
  name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  type         text        NOT NULL CHECK (type IN ('artist', 'band', 'team', 'comedian', 'speaker', 'company', 'other')),
  genre        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX performers_organizer_idx ON performers (organizer_id);

ALTER TABLE events ADD COLUMN description     text NOT NULL DEFAULT '' CHECK (length(description) <= 5000);
ALTER TABLE events ADD COLUMN category        text NOT NULL DEFAULT 'other';
ALTER TABLE events ADD COLUMN venue_id        uuid REFERENCES venues (id);
ALTER TABLE events ADD COLUMN ends_at         timestamptz;
ALTER TABLE events ADD CONSTRAINT events_ends_after_start CHECK (ends_at IS NULL OR ends_at > starts_at);
-- What the organizer decided: 'scheduled' or 'cancelled'. On sale / sold out are derived when read.
ALTER TABLE events ADD COLUMN status          text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled'));
-- The price range of the layout, for price filters and sorting (cents).
ALTER TABLE events ADD COLUMN min_price_cents integer;
ALTER TABLE events ADD COLUMN max_price_cents integer;
-- Pinned to a partition chosen by an organizer or operator (instead of the hash of the id).
ALTER TABLE events ADD COLUMN partition_pinned boolean NOT NULL DEFAULT false;
-- onsale_search_document(…) of the event, its performers and venue; kept up to date by ingress
-- (shared/sql/refresh-event-search.ts) since it joins other tables.
ALTER TABLE events ADD COLUMN search_document tsvector NOT NULL DEFAULT ''::tsvector;

CREATE TABLE event_performers (
  event_id     uuid    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  performer_id uuid    NOT NULL REFERENCES performers (id),
  position     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (event_id, performer_id)
);
CREATE INDEX event_performers_performer_idx ON event_performers (performer_id, event_id);

-- Every word that occurs in some event's search document: the dictionary a misspelt query word is
-- corrected against (pg_trgm similarity narrows the candidates, levenshtein picks the closest).
CREATE TABLE search_lexicon (
  word text PRIMARY KEY
);
-- GIN indexes here are read far more than written: no pending list (fastupdate), which every search
-- would otherwise scan linearly until vacuum merges it.
CREATE INDEX search_lexicon_trgm_idx ON search_lexicon USING gin (word gin_trgm_ops) WITH (fastupdate = off);

CREATE INDEX events_search_idx ON events USING gin (search_document) WITH (fastupdate = off);
CREATE INDEX events_starts_idx ON events (starts_at, id);
CREATE INDEX events_price_idx ON events (min_price_cents, id);
CREATE INDEX events_venue_idx ON events (venue_id, starts_at);
CREATE INDEX events_category_idx ON events (category, starts_at);

-- The price range follows the layout, whatever wrote the row.
CREATE FUNCTION onsale_event_price_range() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.layout->>'kind' = 'general_admission' THEN
    NEW.min_price_cents := (NEW.layout->>'price_cents')::int;
    NEW.max_price_cents := NEW.min_price_cents;
  ELSIF jsonb_typeof(NEW.layout->'sections') = 'array' THEN
    SELECT min((s->>'price_cents')::int), max((s->>'price_cents')::int)
      INTO NEW.min_price_cents, NEW.max_price_cents
      FROM jsonb_array_elements(NEW.layout->'sections') s;
  END IF;
  NEW.min_price_cents := coalesce(NEW.min_price_cents, 0);
  NEW.max_price_cents := coalesce(NEW.max_price_cents, 0);
  RETURN NEW;
EXCEPTION WHEN data_exception THEN
  -- A layout this cannot read is the worker's to refuse (it dead-letters it), not this trigger's.
  NEW.min_price_cents := 0;
  NEW.max_price_cents := 0;
  RETURN NEW;
END $$;
-- A writer that supplies both (the catalog generator, computing them from the same layout) skips it.
CREATE TRIGGER events_price_range_insert BEFORE INSERT ON events
  FOR EACH ROW WHEN (NEW.min_price_cents IS NULL OR NEW.max_price_cents IS NULL) EXECUTE FUNCTION onsale_event_price_range();
CREATE TRIGGER events_price_range_update BEFORE UPDATE OF layout ON events
  FOR EACH ROW EXECUTE FUNCTION onsale_event_price_range();

-- Events created before this migration: price range from their layout, and a search document.
UPDATE events SET layout = layout,
  search_document = onsale_search_document(name, NULL, NULL, NULL, category, NULL);
ALTER TABLE events ALTER COLUMN min_price_cents SET NOT NULL;
ALTER TABLE events ALTER COLUMN max_price_cents SET NOT NULL;
INSERT INTO search_lexicon (word)
  SELECT DISTINCT lexeme FROM events, unnest(search_document) WHERE lexeme ~ '^[[:alnum:]]+$'
  ON CONFLICT DO NOTHING;
