import type { IngressContext } from '../context';
import { AppError } from '../../shared/errors';
import { powKey, verifyProof } from '../../shared/pow';
import type { Proof } from '../../shared/contracts/fair-onsale';

let cachedKey: { secret: string; key: Buffer } | null = null;

/** The proof-of-work signing key of this installation (derived once from JWT_SECRET). */
export function challengeKey(secret: string): Buffer {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: powKey(secret) };
  return cachedKey.key;
}

/**
 * Checks a booking's proof of work when the event asks for one: `428 proof_required` without it,
 * `400 proof_invalid` / `400 proof_expired` when it does not verify, `409 proof_used` the second time
 * (single use: one Redis SET NX that lives as long as the challenge). Does nothing when `bits` is 0.
 */
export async function checkProof(
  ctx: Pick<IngressContext, 'config' | 'redis' | 'keys'>,
  proof: Proof | undefined,
  eventId: string,
  userId: string,
  bits: number,
): Promise<void> {
  if (bits === 0) return;
  if (!proof)
    throw new AppError(
      'proof_required',
      `This event asks for a proof of work of ${bits} bits: GET /v1/events/${eventId}/challenge`,
    );
  const now = Date.now();
  const check = verifyProof(challengeKey(ctx.config.JWT_SECRET), proof, eventId, userId, bits, now);
  if (!check.ok) throw new AppError(check.code);
  const tag = proof.challenge.slice(proof.challenge.lastIndexOf('.') + 1);
  const fresh = await ctx.redis
    .set(ctx.keys.usedProof(tag), '1', 'PX', Math.max(1, check.expiresMs - now), 'NX')
    .catch(() => {
      throw new AppError('dependency_unavailable', 'Redis is unreachable', undefined, 2);
    });
  if (fresh === null) throw new AppError('proof_used');
}
