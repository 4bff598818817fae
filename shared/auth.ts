import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';

export const ROLES = ['buyer', 'organizer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  user_id: string;
  role: Role;
  /** The account's token version when the token was issued (claim `tv`; see shared/token-versions.ts). */
  token_version?: number;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  role: z.enum(ROLES),
  tv: z.number().int().nonnegative().optional(),
});

/** Signs a bearer token (HS256). @defaultValue expiresIn 12h */
export function signToken(
  secret: string,
  principal: Principal,
  expiresIn: jwt.SignOptions['expiresIn'] = '12h',
): string {
  return jwt.sign(
    { role: principal.role, ...(principal.token_version ? { tv: principal.token_version } : {}) },
    secret,
    {
      algorithm: 'HS256',
      subject: principal.user_id,
      expiresIn,
    },
  );
}

// jsonwebtoken turns a string secret into a key object on every call (first trying, and failing, to
// parse it as a public key): on the booking path that was a quarter of ingress's CPU. Build it once.
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

/** Verifies a bearer token; returns null for anything missing, malformed, expired or forged. */
export function verifyToken(secret: string, token: string | undefined | null): Principal | null {
  if (!token) return null;
  try {
    const decoded = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'] });
    const claims = claimsSchema.safeParse(decoded);
    if (!claims.success) return null;
    return {
      user_id: claims.data.sub,
      role: claims.data.role,
      ...(claims.data.tv ? { token_version: claims.data.tv } : {}),
    };
  } catch {
    return null;
  }
}

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1] ?? null;
}
