import type { Pool, NoRows } from '../../shared/db/pool';

export interface OutboxRow {
  id: number;
  dedupe_key: string;
  user_id: string;
  template: string;
  payload: unknown;
  attempts: number;
  email: string | null;
  event_name: string | null;
}

/** How long a claimed row is leased to one relay before another may take it. */
const LEASE_SECONDS = 60;

/**
 * Claims up to `limit` unsent rows whose time has come. The recipient's address comes from `users`
 * (accounts, migration 002) when that table exists; without it the address is null.
 */
export async function claimEmails(pool: Pool, limit: number): Promise<OutboxRow[]> {
  const { rows } = await pool.query<Omit<OutboxRow, 'email' | 'event_name'> & { event_id: string | null }>({
    name: 'claim-emails',
    text: `UPDATE email_outbox o SET locked_until = now() + make_interval(secs => $2), attempts = o.attempts + 1
           WHERE o.id IN (SELECT id FROM email_outbox
                          WHERE sent_at IS NULL AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
                          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING o.id, o.dedupe_key, o.user_id, o.template, o.payload, o.attempts, o.payload->>'event_id' AS event_id`,
    values: [limit, LEASE_SECONDS],
  });
  if (!rows.length) return [];
  const emails = await emailsOf(pool, [...new Set(rows.map((r) => r.user_id))]);
  const { rows: events } = await pool.query<{ id: string; name: string }>({
    name: 'outbox-event-names',
    text: 'SELECT id::text, name FROM events WHERE id::text = ANY($1::text[])',
    values: [[...new Set(rows.map((r) => r.event_id).filter((e): e is string => !!e))]],
  });
  const names = new Map(events.map((e) => [e.id, e.name]));
  return rows.map(({ event_id, ...r }) => ({
    ...r,
    email: emails.get(r.user_id) ?? null,
    event_name: event_id ? (names.get(event_id) ?? null) : null,
  }));
}

async function emailsOf(pool: Pool, userIds: string[]): Promise<Map<string, string>> {
  try {
    const { rows } = await pool.query<{ id: string; email: string }>({
      name: 'outbox-user-emails',
      text: 'SELECT id::text AS id, email::text AS email FROM users WHERE id::text = ANY($1::text[])',
      values: [userIds],
    });
    return new Map(rows.map((r) => [r.id, r.email]));
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return new Map(); // no accounts table (yet)
    throw err;
  }
}

export async function markEmailSent(pool: Pool, id: number): Promise<void> {
  await pool.query<NoRows>({
    name: 'mark-email-sent',
    text: 'UPDATE email_outbox SET sent_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1',
    values: [id],
  });
}

/** Reschedules a failed send with exponential backoff (capped at an hour). */
export async function markEmailFailed(pool: Pool, id: number, error: string, attempts: number): Promise<void> {
  await pool.query<NoRows>({
    name: 'mark-email-failed',
    text: `UPDATE email_outbox SET locked_until = NULL, last_error = $2,
             next_attempt_at = now() + make_interval(secs => LEAST(3600, 5 * power(2, $3::int)))
           WHERE id = $1`,
    values: [id, error.slice(0, 500), Math.min(attempts, 20)],
  });
}
