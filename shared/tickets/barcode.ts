import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed ticket barcodes: `base64url(payload) + '.' + base64url(Ed25519 signature of the payload bytes)`,
 * payload `{"t": ticket id, "e": event id, "s": seat id or "GA-<unit>", "v": version}`. A scanner holding
 * the public key (`GET /v1/tickets/public-key`) verifies a barcode offline; `POST /v1/tickets/verify`
 * also checks the version and status online, so a transferred ticket's old barcode is refused.
 * Ed25519 signatures are deterministic: the same ticket version always has the same barcode.
 */
export interface BarcodePayload {
  /** ticket id */
  t: string;
  /** event id */
  e: string;
  /** seat id, or `GA-<unit>` for general admission */
  s: string;
  /** ticket version (bumped by every transfer) */
  v: number;
}

export interface TicketKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM, for scanners. */
  publicKeyPem: string;
}

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Derives the barcode key pair from a 32-byte hex seed (TICKET_SIGNING_SEED). */
export function ticketKeys(seedHex: string): TicketKeys {
  const seed = Buffer.from(seedHex, 'hex');
  if (seed.length !== 32) throw new Error('TICKET_SIGNING_SEED must be 32 bytes of hex');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

export function seatLabel(t: { seatId: string | null; unit: number | null }): string {
  return t.seatId ?? `GA-${t.unit}`;
}

/** Signs a ticket version into its barcode. */
export function signBarcode(keys: Pick<TicketKeys, 'privateKey'>, payload: BarcodePayload): string {
  const body = Buffer.from(JSON.stringify({ t: payload.t, e: payload.e, s: payload.s, v: payload.v }));
  return `${body.toString('base64url')}.${sign(null, body, keys.privateKey).toString('base64url')}`;
}

/** Checks a barcode's signature (offline). Returns its payload, or null when malformed or forged. */
export function verifyBarcode(publicKey: KeyObject, barcode: string): BarcodePayload | null {
  if (typeof barcode !== 'string' || barcode.length > 1024) return null;
  const [b64, sig, extra] = barcode.split('.');
  if (!b64 || !sig || extra !== undefined) return null;
  const body = Buffer.from(b64, 'base64url');
  let ok = false;
  try {
    ok = verify(null, body, publicKey, Buffer.from(sig, 'base64url'));
  } catch {
    return null;
  }
  if (!ok) return null;
  try {
    const p = JSON.parse(body.toString('utf8')) as Partial<BarcodePayload>;
    if (typeof p.t !== 'string' || typeof p.e !== 'string' || typeof p.s !== 'string' || typeof p.v !== 'number')
      return null;
    return { t: p.t, e: p.e, s: p.s, v: p.v };
  } catch {
    return null;
  }
}
