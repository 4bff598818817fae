import type { Pool } from '../db/pool';
import type { Role } from '../auth';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  name: string;
  role: Role;
  /** Bumped by a role change, a password change or a logout: older tokens stop working (migration 005). */
  token_version: number;
  created_at: Date;
  updated_at: Date;
}

/** Inserts an account; resolves null when the e-mail (in any case) is taken. */
export async function insertUser(
  pool: Pool,
  user: { id: string; email: string; passwordHash: string; name: string; role: Role },
): Promise<UserRow | null> {
  try {
    const { rows } = await pool.query<UserRow>({
      name: 'insert-user',
      text: `INSERT INTO users (id, email, password_hash, name, role) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      values: [user.id, user.email, user.passwordHash, user.name, user.role],
    });
    return rows[0]!;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return null; // unique_violation on lower(email)
    throw err;
  }
}

export async function findUserByEmail(pool: Pool, email: string): Promise<UserRow | null> {
  const { rows } = await pool.query<UserRow>({
    name: 'find-user-by-email',
    text: 'SELECT * FROM users WHERE lower(email) = lower($1)',
    values: [email],
  });
  return rows[0] ?? null;
}

export async function findUserById(pool: Pool, id: string): Promise<UserRow | null> {
  const { rows } = await pool.query<UserRow>({
    name: 'find-user-by-id',
    text: 'SELECT * FROM users WHERE id = $1',
    values: [id],
  });
  return rows[0] ?? null;
}

/** Sets an account's role (a change ends its older tokens); resolves null when there is no such account. */
export async function setUserRole(
  pool: Pool,
  by: { id: string } | { email: string },
  role: Role,
): Promise<UserRow | null> {
  const { rows } =
    'id' in by
      ? await pool.query<UserRow>({
          name: 'set-user-role-by-id',
          text: `UPDATE users SET token_version = token_version + (role <> $2)::int, role = $2, updated_at = now() WHERE id = $1 RETURNING *`,
          values: [by.id, role],
        })
      : await pool.query<UserRow>({
          name: 'set-user-role-by-email',
          text: `UPDATE users SET token_version = token_version + (role <> $2)::int, role = $2, updated_at = now() WHERE lower(email) = lower($1) RETURNING *`,
          values: [by.email, role],
        });
  return rows[0] ?? null;
}

/** Replaces an account's password hash and ends its older tokens; resolves the updated row. */
export async function setUserPassword(pool: Pool, id: string, passwordHash: string): Promise<UserRow | null> {
  const { rows } = await pool.query<UserRow>({
    name: 'set-user-password',
    text: 'UPDATE users SET password_hash = $2, token_version = token_version + 1, updated_at = now() WHERE id = $1 RETURNING *',
    values: [id, passwordHash],
  });
  return rows[0] ?? null;
}

/** An account as the API shows it (never the hash). */
export function publicUser(u: UserRow) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, created_at: u.created_at.toISOString() };
}
