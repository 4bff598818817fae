import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { withTransaction, type Pool } from '../../shared/db/pool';
import type { CreatePresaleBody } from '../../shared/contracts/fair-onsale';
import type { EventRow } from '../../shared/sql/get-event';
import { AppError } from '../../shared/errors';

/** SHA-256 (hex) of a presale code: all that is stored, and what a booking command carries. */
export function hashPresaleCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/** A new code: 128 random bits, base64url (22 characters). */
function newCode(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Creates a presale of `ev` (window before its on-sale time) with fresh codes and/or invited e-mail
 * addresses, in one transaction. The codes are returned once and stored hashed.
 */
export async function createPresale(pool: Pool, ev: EventRow, body: CreatePresaleBody) {
  const startsAt = Date.parse(body.starts_at);
  const endsAt = Date.parse(body.ends_at);
  if (endsAt <= startsAt) throw new AppError('invalid_range', 'ends_at must be after starts_at');
  if (endsAt > ev.on_sale_at.getTime())
    throw new AppError('invalid_range', 'a presale ends by the on-sale time (on_sale_at)');
  if (ev.status === 'cancelled' || ev.cancelled_at) throw new AppError('event_not_editable', 'The event is cancelled.');
  const id = randomUUID();
  const codes = body.codes ? Array.from({ length: body.codes.count }, newCode) : [];
  const emails = [...new Set(body.allowed_emails ?? [])];
  await withTransaction(pool, async (client) => {
    await client.query({
      name: 'insert-presale',
      text: 'INSERT INTO presales (id, event_id, name, starts_at, ends_at, max_per_user) VALUES ($1, $2, $3, $4, $5, $6)',
      values: [id, ev.id, body.name, body.starts_at, body.ends_at, body.max_per_user ?? null],
    });
    if (codes.length) {
      await client.query({
        name: 'insert-presale-codes',
        text: 'INSERT INTO presale_codes (code_hash, presale_id, uses_per_code) SELECT h, $2, $3 FROM unnest($1::text[]) AS h',
        values: [codes.map(hashPresaleCode), id, body.codes!.uses_per_code],
      });
    }
    if (emails.length) {
      await client.query({
        name: 'insert-presale-emails',
        text: 'INSERT INTO presale_emails (presale_id, email) SELECT $2, e FROM unnest($1::text[]) AS e',
        values: [emails, id],
      });
    }
  });
  return {
    presale_id: id,
    event_id: ev.id,
    name: body.name,
    starts_at: new Date(startsAt).toISOString(),
    ends_at: new Date(endsAt).toISOString(),
    max_per_user: body.max_per_user ?? null,
    ...(body.codes ? { codes, uses_per_code: body.codes.uses_per_code } : {}),
    allowed_emails: emails.length,
  };
}

/** The presale of `eventId` open now that the account `userId` is invited to, if any. */
export async function invitedPresale(pool: Pool, eventId: string, userId: string): Promise<string | null> {
  const { rows } = await pool.query<{ id: string }>({
    name: 'invited-presale',
    text: `SELECT p.id FROM presales p JOIN presale_emails e ON e.presale_id = p.id JOIN users u ON lower(u.email) = e.email
           WHERE p.event_id = $1 AND u.id::text = $2 AND now() >= p.starts_at AND now() < p.ends_at
           ORDER BY p.starts_at LIMIT 1`,
    values: [eventId, userId],
  });
  return rows[0]?.id ?? null;
}
