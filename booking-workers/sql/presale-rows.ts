import type { NoRows, Pool, PoolClient } from '../../shared/db/pool';
import { userKey, type PresaleCode, type PresaleInfo, type PresaleState, type PresaleUse } from '../allocator/presale';

interface PresaleRow {
  id: string;
  starts_at: Date;
  ends_at: Date;
  max_per_user: number | null;
}

const info = (r: PresaleRow): PresaleInfo => ({
  id: r.id,
  startsAt: r.starts_at.getTime(),
  endsAt: r.ends_at.getTime(),
  maxPerUser: r.max_per_user,
});

/**
 * Loads into `state` the codes, presales and per-account uses one batch names that the single writer
 * does not know yet. Uses are counted from the bookings that got a hold with them (the single writer
 * wrote every one, so after this its in-memory count is exact).
 */
export async function loadPresales(
  pool: Pool,
  eventId: string,
  state: PresaleState,
  want: { codeHashes: string[]; presaleIds: string[]; users: string[] },
): Promise<void> {
  const codeHashes = want.codeHashes.filter((h) => !state.codes.has(h));
  const presaleIds = want.presaleIds.filter((id) => !state.presales.has(id));
  if (codeHashes.length) {
    const { rows } = await pool.query<PresaleRow & { code_hash: string; uses_per_code: number; uses: number }>({
      name: 'load-presale-codes',
      text: `SELECT p.id, p.starts_at, p.ends_at, p.max_per_user, c.code_hash, c.uses_per_code,
                    (SELECT count(*)::int FROM bookings b WHERE b.presale_code_hash = c.code_hash) AS uses
             FROM presale_codes c JOIN presales p ON p.id = c.presale_id
             WHERE p.event_id = $1 AND c.code_hash = ANY($2::text[])`,
      values: [eventId, codeHashes],
    });
    for (const h of codeHashes) state.codes.set(h, null);
    for (const r of rows)
      state.codes.set(r.code_hash, {
        presale: info(r),
        usesPerCode: r.uses_per_code,
        uses: r.uses,
      } satisfies PresaleCode);
  }
  if (presaleIds.length) {
    const { rows } = await pool.query<PresaleRow>({
      name: 'load-presales',
      text: 'SELECT id, starts_at, ends_at, max_per_user FROM presales WHERE event_id = $1 AND id = ANY($2::uuid[])',
      values: [eventId, presaleIds],
    });
    for (const id of presaleIds) state.presales.set(id, null);
    for (const r of rows) state.presales.set(r.id, info(r));
  }
  // Per-account uses of every presale now known that the batch's users may touch.
  const ids = new Set<string>();
  for (const c of state.codes.values()) if (c) ids.add(c.presale.id);
  for (const p of state.presales.values()) if (p) ids.add(p.id);
  const pairs = [...ids]
    .flatMap((id) => want.users.map((u) => [id, u] as const))
    .filter(([id, u]) => !state.userUses.has(userKey(id, u)));
  if (!pairs.length) return;
  const { rows } = await pool.query<{ presale_id: string; user_id: string; n: number }>({
    name: 'load-presale-user-uses',
    text: `SELECT presale_id, user_id, count(*)::int AS n FROM bookings
           WHERE presale_id = ANY($1::uuid[]) AND user_id = ANY($2::text[]) GROUP BY presale_id, user_id`,
    values: [[...new Set(pairs.map(([id]) => id))], [...new Set(pairs.map(([, u]) => u))]],
  });
  for (const [id, u] of pairs) state.userUses.set(userKey(id, u), 0);
  for (const r of rows) state.userUses.set(userKey(r.presale_id, r.user_id), r.n);
}

/** Marks the bookings that got a hold in a presale (after the bookings upsert, in the batch transaction). */
export async function recordPresaleUses(client: PoolClient, uses: readonly PresaleUse[]): Promise<void> {
  await client.query<NoRows>({
    name: 'set-presale-uses',
    text: `UPDATE bookings SET presale_id = v.presale_id, presale_code_hash = v.code_hash
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS v(id, presale_id, code_hash) WHERE bookings.id = v.id`,
    values: [uses.map((u) => u.bookingId), uses.map((u) => u.presaleId), uses.map((u) => u.codeHash)],
  });
}
