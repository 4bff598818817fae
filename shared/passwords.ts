import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * Password hashing with bcrypt (bcryptjs: pure JavaScript, no native build). The cost factor is
 * PASSWORD_HASH_COST; a hash records its own cost, so raising it later only affects new hashes.
 */
export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

const dummies = new Map<number, Promise<string>>();

/**
 * A hash (at the same cost) of nothing anyone knows, compared against when the e-mail is unknown, so a
 * login for an unknown account takes as long as one with a wrong password.
 */
export function dummyHash(cost: number): Promise<string> {
  let h = dummies.get(cost);
  if (!h) dummies.set(cost, (h = bcrypt.hash(randomBytes(16).toString('hex'), cost)));
  return h;
}
