import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { createPool } from '../shared/db/pool';
import { ROLES, type Role } from '../shared/auth';
import { hashPassword } from '../shared/passwords';
import { insertUser, setUserRole } from '../shared/sql/users';
import { createRedis } from '../shared/redis/connect';
import { tokenVersionKey } from '../shared/token-versions';

/**
 * Grants a role to an account, e.g. the first operator of an install (operators then grant roles
 * over the API: `PUT /v1/users/{id}/role`). With `--password` (and `--name`), an account that does
 * not exist yet is created with that role. The account's older tokens stop working; its next login
 * carries the new role. This is the only way to make the first operator.
 * @example npm run user:grant -- --email ops@example.com --role operator
 * @example npm run user:grant -- --email ops@example.com --role operator --password 'long secret' --name Ops
 */
const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    role: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
  },
});
if (!values.email || !values.role || !ROLES.includes(values.role as Role)) {
  process.stderr.write(
    `usage: npm run user:grant -- --email <address> --role <${ROLES.join('|')}> [--password <new account's password> --name <name>]\n`,
  );
  process.exit(2);
}
const config = loadConfigOrExit();
const logger = createLogger('user-grant', config.LOG_LEVEL);
const pool = createPool(config.DATABASE_URL, 1, 'user-grant');
try {
  const role = values.role as Role;
  let user = await setUserRole(pool, { email: values.email }, role);
  if (!user && values.password) {
    if (values.password.length < 8) throw new Error('--password must be at least 8 characters');
    const passwordHash = await hashPassword(values.password, config.PASSWORD_HASH_COST);
    user = await insertUser(pool, {
      id: randomUUID(),
      email: values.email.trim(),
      passwordHash,
      name: values.name ?? values.email,
      role,
    });
  }
  if (!user)
    throw new Error(
      `no account with e-mail ${values.email}: register it first, or pass --password (and --name) to create it`,
    );
  // A role change ends the account's older tokens: drop the Redis mirror of its token version so every
  // role reads the new one from PostgreSQL (within TOKEN_VERSION_CACHE_MS).
  const redis = createRedis(config.REDIS_URL, 'user-grant');
  try {
    await redis.connect();
    await redis.del(tokenVersionKey(config.REDIS_PREFIX, user.id));
  } catch (err) {
    logger.warn('Redis not reachable: older tokens of this account end when the mirrored version expires (1 h)', {
      err: (err as Error).message,
    });
  } finally {
    redis.disconnect();
  }
  logger.info('role granted', { user_id: user.id, email: user.email, role: user.role });
} catch (err) {
  logger.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await pool.end();
}
