import { describe, expect, it } from 'vitest';
import { issueChallenge, leadingZeroBits, powKey, proofDigest, solveChallenge, verifyProof } from '../../shared/pow';

const key = powKey('a-test-secret-of-16+chars');
const EVENT = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';

describe('proof of work', () => {
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(Uint8Array.from([0x80]))).toBe(0);
    expect(leadingZeroBits(Uint8Array.from([0x01]))).toBe(7);
    expect(leadingZeroBits(Uint8Array.from([0x00, 0x10]))).toBe(11);
    expect(leadingZeroBits(Uint8Array.from([0x00, 0x00]))).toBe(16);
  });

  it('accepts a solved challenge for its user and event and refuses everything else', () => {
    const now = 1_000_000;
    const c = issueChallenge(key, EVENT, 'alice', 10, now, 60_000);
    expect(c.bits).toBe(10);
    expect(c.expires_at).toBe(new Date(now + 60_000).toISOString());
    const { nonce } = solveChallenge(c.challenge, 10);
    expect(leadingZeroBits(proofDigest(c.challenge, nonce))).toBeGreaterThanOrEqual(10);
    expect(verifyProof(key, { challenge: c.challenge, nonce }, EVENT, 'alice', 10, now + 1)).toEqual({
      ok: true,
      expiresMs: now + 60_000,
    });
    // Another user, another event, another key, a tampered field, or more bits asked than issued for.
    expect(verifyProof(key, { challenge: c.challenge, nonce }, EVENT, 'mallory', 10, now)).toEqual({
      ok: false,
      code: 'proof_invalid',
    });
    expect(verifyProof(key, { challenge: c.challenge, nonce }, OTHER, 'alice', 10, now)).toEqual({
      ok: false,
      code: 'proof_invalid',
    });
    expect(
      verifyProof(powKey('another-secret-16chars'), { challenge: c.challenge, nonce }, EVENT, 'alice', 10, now),
    ).toMatchObject({ ok: false });
    const lowered = c.challenge.replace('.10.', '.1.');
    expect(verifyProof(key, { challenge: lowered, nonce }, EVENT, 'alice', 1, now)).toEqual({
      ok: false,
      code: 'proof_invalid',
    });
    expect(verifyProof(key, { challenge: c.challenge, nonce }, EVENT, 'alice', 12, now)).toEqual({
      ok: false,
      code: 'proof_invalid',
    });
    expect(verifyProof(key, { challenge: 'garbage', nonce }, EVENT, 'alice', 10, now)).toEqual({
      ok: false,
      code: 'proof_invalid',
    });
    // Expired, and a nonce that does not do the work.
    expect(verifyProof(key, { challenge: c.challenge, nonce }, EVENT, 'alice', 10, now + 60_000)).toEqual({
      ok: false,
      code: 'proof_expired',
    });
    let bad = 0;
    while (leadingZeroBits(proofDigest(c.challenge, `x${bad}`)) >= 10) bad++;
    expect(verifyProof(key, { challenge: c.challenge, nonce: `x${bad}` }, EVENT, 'alice', 10, now)).toEqual({
      ok: false,
      code: 'proof_invalid',
    });
  });
});
