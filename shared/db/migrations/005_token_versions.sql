-- Up Migration

-- A token version per account: every bearer token carries the version it was issued under (`tv`),
-- and a role change, a password change or a logout bumps it, so older tokens stop working within
-- TOKEN_VERSION_CACHE_MS instead of at their expiry. Ingress and the notifier read it through Redis
-- (`user:<id>:token-version`), falling back to this column.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE users DROP COLUMN token_version;
