import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Proof of work at the door (issue 12 §2). A challenge is issued statelessly: it carries the event, its
 * expiry and a random part, and an HMAC over those and the user it was issued to, so nothing is stored
 * to issue one and a challenge is useless to anyone else or for another event. The client finds a
 * `nonce` such that SHA-256 of `challenge + ":" + nonce` starts with `bits` zero bits. Verifying is one
 * HMAC and one SHA-256 (microseconds); single use is checked by the caller (one Redis SET NX).
 */

const VERSION = 'p1';

export interface Challenge {
  challenge: string;
  bits: number;
  expires_at: string;
}

/** The key challenges are signed with, derived from a secret of the installation. */
export function powKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('onsale proof-of-work challenges').digest();
}

function mac(key: Buffer, eventId: string, userId: string, bits: number, expiresMs: number, rand: string): string {
  return createHmac('sha256', key)
    .update(`${VERSION}|${eventId}|${userId}|${bits}|${expiresMs}|${rand}`)
    .digest('base64url');
}

/** A new challenge for `userId` on `eventId`: `p1.<event>.<bits>.<expires ms>.<random>.<mac>`. */
export function issueChallenge(
  key: Buffer,
  eventId: string,
  userId: string,
  bits: number,
  now: number,
  ttlMs: number,
): Challenge {
  const expiresMs = now + ttlMs;
  const rand = randomBytes(12).toString('base64url');
  return {
    challenge: [VERSION, eventId, bits, expiresMs, rand, mac(key, eventId, userId, bits, expiresMs, rand)].join('.'),
    bits,
    expires_at: new Date(expiresMs).toISOString(),
  };
}

/** Leading zero bits of a digest. */
export function leadingZeroBits(d: Uint8Array): number {
  let n = 0;
  for (const byte of d) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

export function proofDigest(challenge: string, nonce: string): Buffer {
  return createHash('sha256').update(`${challenge}:${nonce}`).digest();
}

export type ProofCheck = { ok: true; expiresMs: number } | { ok: false; code: 'proof_invalid' | 'proof_expired' };

/**
 * Checks a proof for `userId` on `eventId`, which currently asks for `bits`: the challenge must be ours
 * (MAC), for this user and event, issued for at least `bits`, unexpired, and the work done.
 */
export function verifyProof(
  key: Buffer,
  proof: { challenge: string; nonce: string },
  eventId: string,
  userId: string,
  bits: number,
  now: number,
): ProofCheck {
  const parts = proof.challenge.split('.');
  if (parts.length !== 6 || parts[0] !== VERSION) return { ok: false, code: 'proof_invalid' };
  const [, ev, bitsText, expText, rand, tag] = parts as [string, string, string, string, string, string];
  const issuedBits = Number(bitsText);
  const expiresMs = Number(expText);
  if (ev !== eventId || !Number.isInteger(issuedBits) || !Number.isSafeInteger(expiresMs))
    return { ok: false, code: 'proof_invalid' };
  const want = Buffer.from(mac(key, ev, userId, issuedBits, expiresMs, rand));
  const got = Buffer.from(tag);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, code: 'proof_invalid' };
  if (issuedBits < bits) return { ok: false, code: 'proof_invalid' };
  if (now >= expiresMs) return { ok: false, code: 'proof_expired' };
  if (leadingZeroBits(proofDigest(proof.challenge, proof.nonce)) < issuedBits)
    return { ok: false, code: 'proof_invalid' };
  return { ok: true, expiresMs };
}

/** Finds a nonce (decimal counter) for a challenge: what a client does, here for tests and the benchmark. */
export function solveChallenge(challenge: string, bits: number): { nonce: string; tries: number } {
  for (let i = 0; ; i++) {
    const nonce = i.toString(10);
    if (leadingZeroBits(proofDigest(challenge, nonce)) >= bits) return { nonce, tries: i + 1 };
  }
}
