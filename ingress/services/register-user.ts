import { randomUUID } from 'node:crypto';
import type { Config } from '../../shared/config';
import type { Pool } from '../../shared/db/pool';
import type { Role } from '../../shared/auth';
import { AppError } from '../../shared/errors';
import { dummyHash, hashPassword, verifyPassword } from '../../shared/passwords';
import { findUserByEmail, insertUser, type UserRow } from '../../shared/sql/users';

/**
 * Creates a buyer account; 409 `email_taken` if it exists in any case. Registration never grants
 * another role, whatever the e-mail: the first operator comes only from the command line
 * (`npm run user:grant`), who can prove access to the installation.
 */
export async function registerUser(
  deps: { pool: Pool; config: Config },
  body: { email: string; password: string; name: string },
): Promise<UserRow> {
  const role: Role = 'buyer';
  const passwordHash = await hashPassword(body.password, deps.config.PASSWORD_HASH_COST);
  const user = await insertUser(deps.pool, {
    id: randomUUID(),
    email: body.email,
    passwordHash,
    name: body.name,
    role,
  });
  if (!user) throw new AppError('email_taken');
  return user;
}

/**
 * Checks an e-mail and password; 401 `invalid_credentials` for either wrong (the answer does not say
 * which, and an unknown e-mail costs the same bcrypt work).
 */
export async function logIn(
  deps: { pool: Pool; config: Config },
  body: { email: string; password: string },
): Promise<UserRow> {
  const user = await findUserByEmail(deps.pool, body.email);
  const ok = await verifyPassword(
    body.password,
    user?.password_hash ?? (await dummyHash(deps.config.PASSWORD_HASH_COST)),
  );
  if (!user || !ok) throw new AppError('invalid_credentials');
  return user;
}
