import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Payment webhook signatures: header `X-Onsale-Signature: t=<unix seconds>,v1=<hex>` where
 * `v1 = HMAC-SHA256(secret, t + '.' + raw body)`. The timestamp bounds replays; the comparison is
 * constant-time. Used by the provider simulator (signing) and ingress (verifying).
 */
export const SIGNATURE_HEADER = 'x-onsale-signature';

export function signWebhook(
  secret: string,
  rawBody: string | Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const mac = createHmac('sha256', secret).update(`${nowSeconds}.`).update(rawBody).digest('hex');
  return `t=${nowSeconds},v1=${mac}`;
}

export type SignatureCheck = { ok: true } | { ok: false; why: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/** Verifies a signature header against the raw body; `toleranceSeconds` bounds the age (and future skew). */
export function verifyWebhook(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, why: 'missing' };
  const parts = new Map<string, string[]>();
  for (const kv of header.split(',')) {
    const i = kv.indexOf('=');
    if (i <= 0) return { ok: false, why: 'malformed' };
    const k = kv.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), kv.slice(i + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  const given = parts.get('v1') ?? [];
  if (!Number.isInteger(t) || given.length === 0) return { ok: false, why: 'malformed' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, why: 'stale' };
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  // Several v1 values are allowed (secret rotation): any match passes.
  const match = given.some((hex) => {
    if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
    return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
  });
  return match ? { ok: true } : { ok: false, why: 'mismatch' };
}
