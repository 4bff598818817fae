import { randomUUID } from 'node:crypto';
import type { Config } from '../../shared/config';
import type { Pool } from '../../shared/db/pool';
import type { Role } from '../../shared/auth';
import { AppError } from '../../shared/errors';
import { dummyHash, hashPassword, verifyPassword } from '../../shared/passwords';
import { findUserByEmail, insertUser, setUserRole, type UserRow } from '../../shared/sql/users';

/** Whether this e-mail is the configured first operator's (ONSALE_BOOTSTRAP_OPERATOR_EMAIL). */
function isBootstrapOperator(config: Config, email: string): boolean {
  return config.ONSALE_BOOTSTRAP_OPERATOR_EMAIL !== undefined && config.ONSALE_BOOTSTRAP_OPERATOR_EMAIL.toLowerCase() === email.toLowerCase();
}

/** Creates a buyer account (an operator one for the bootstrap e-mail); 409 `email_taken` if it exists in any case. */
export async function registerUser(deps: { pool: Pool; config: Config }, body: { email: string; password: string; name: string }): Promise<UserRow> {
  const role: Role = isBootstrapOperator(deps.config, body.email) ? 'operator' : 'buyer';
  const passwordHash = await hashPassword(body.password, deps.config.PASSWORD_HASH_COST);
  const user = await insertUser(deps.pool, { id: randomUUID(), email: body.email, passwordHash, name: body.name, role });
  if (!user) throw new AppError('email_taken');
  return user;
}

/**
 * Checks an e-mail and password; 401 `invalid_credentials` for either wrong (the answer does not say
 * which, and an unknown e-mail costs the same bcrypt work). The bootstrap operator is promoted here
 * too, so configuring the e-mail after the account exists still works.
 */
export async function logIn(deps: { pool: Pool; config: Config }, body: { email: string; password: string }): Promise<UserRow> {
  const user = await findUserByEmail(deps.pool, body.email);
  const ok = await verifyPassword(body.password, user?.password_hash ?? (await dummyHash(deps.config.PASSWORD_HASH_COST)));
  if (!user || !ok) throw new AppError('invalid_credentials');
  if (user.role !== 'operator' && isBootstrapOperator(deps.config, user.email)) return (await setUserRole(deps.pool, { id: user.id }, 'operator')) ?? user;
  return user;
}
