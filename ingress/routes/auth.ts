import express, { type Request, type RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { limitPer } from '../middleware/rate-limit';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute, type RouteContract, type RouteHandler } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { uuidParam } from '../../shared/contracts/http';
import { signToken } from '../../shared/auth';
import { AppError } from '../../shared/errors';
import {
  findUserByEmail,
  findUserById,
  publicUser,
  setUserPassword,
  setUserRole,
  type UserRow,
} from '../../shared/sql/users';
import { hashPassword } from '../../shared/passwords';
import type { TokenVersions } from '../../shared/token-versions';
import { logIn, registerUser } from '../services/register-user';

/**
 * Accounts: register, log in, log out, change the password, who am I; and the operator's role grants.
 * Tokens are the bearer JWTs the whole API accepts (`sub` = account id, `role`, `tv` = token version),
 * valid AUTH_TOKEN_TTL_S; a role change, a password change or a logout ends the account's older
 * tokens within TOKEN_VERSION_CACHE_MS (shared/token-versions.ts).
 */
export function authRouter(ctx: IngressContext) {
  const r = express.Router();
  const { config } = ctx;
  const pool = ctx.read?.pool ?? ctx.pool;

  const versions = versionsOf(ctx);
  // Warms the version's Redis mirror first, so the account's first requests need no PostgreSQL read.
  const tokenAnswer = async (user: UserRow) => {
    await versions.remember(user.id, user.token_version);
    return tokenBody(user);
  };
  const tokenBody = (user: UserRow) => ({
    token: signToken(
      config.JWT_SECRET,
      { user_id: user.id, role: user.role, token_version: user.token_version },
      config.AUTH_TOKEN_TTL_S,
    ),
    token_type: 'Bearer',
    expires_in: config.AUTH_TOKEN_TTL_S,
    user: publicUser(user),
  });

  // Login attempts are limited per client address and e-mail (guessing one account's password) and,
  // ten times looser, per address alone (trying many accounts). Successful logins do not count. The
  // counters live in this process's memory: with several ingress instances each counts its own.
  const limited = (limit: number, key: (req: Request) => string) =>
    limitPer({
      windowS: config.LOGIN_RATE_WINDOW_S,
      limit,
      key,
      count: 'failures',
      message: 'Too many login attempts; retry after Retry-After seconds.',
    });
  const ip = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');
  // A body without a string e-mail fails validation later; until then it shares one bucket per address.
  const email = (req: Request) => {
    const given = (req.body as { email?: unknown } | undefined)?.email;
    return typeof given === 'string' ? given : '';
  };
  const perAccount = limited(
    config.LOGIN_RATE_LIMIT,
    (req) => `${ip(req)}|${email(req).trim().toLowerCase().slice(0, 254)}`,
  );
  const perAddress = limited(config.LOGIN_RATE_LIMIT * 10, ip);

  // Registrations per client address (every attempt counts: probing which e-mails exist costs too).
  const registrations = limitPer({
    windowS: config.REGISTER_RATE_WINDOW_S,
    limit: config.REGISTER_RATE_LIMIT,
    key: ip,
    count: 'all',
    message: 'Too many registrations from this address; retry after Retry-After seconds.',
  });

  const route = <C extends RouteContract>(contract: C, handler: RouteHandler<C>, ...middleware: RequestHandler[]) =>
    registerRoute(r, config.JWT_SECRET, contract, handler, ...middleware);

  route(
    ROUTES.register,
    async (req, res, { body }) => {
      const user = await registerUser({ pool: ctx.pool, config }, body);
      ctx.logger.info('account registered', { request_id: req.requestId, user_id: user.id, role: user.role });
      res
        .status(201)
        .location('/v1/me')
        .json(await tokenAnswer(user));
    },
    registrations,
  );

  route(
    ROUTES.login,
    async (_req, res, { body }) => {
      const user = await logIn({ pool: ctx.pool, config }, body);
      res.json(await tokenAnswer(user));
    },
    perAddress,
    perAccount,
  );

  // Logging out ends every token of the account (this device's and any other's).
  route(ROUTES.logout, async (req, res) => {
    const { user_id } = principalOf(req);
    const id = uuidParam.safeParse(user_id);
    if (id.success) await versions.revoke(id.data);
    ctx.logger.info('logged out', { request_id: req.requestId, user_id });
    res.status(204).end();
  });

  route(
    ROUTES.changePassword,
    async (req, res, { body }) => {
      const current = await findUserById(ctx.pool, asUuid(principalOf(req).user_id, 'user_not_found'));
      if (!current) throw new AppError('user_not_found');
      await logIn({ pool: ctx.pool, config }, { email: current.email, password: body.current_password });
      const user = await setUserPassword(
        ctx.pool,
        current.id,
        await hashPassword(body.new_password, config.PASSWORD_HASH_COST),
      );
      if (!user) throw new AppError('user_not_found');
      await versions.forget(user.id);
      ctx.logger.info('password changed', { request_id: req.requestId, user_id: user.id });
      res.json(await tokenAnswer(user));
    },
    perAddress,
  );

  route(ROUTES.me, async (req, res) => {
    const user = await findUserById(pool, asUuid(principalOf(req).user_id, 'user_not_found'));
    if (!user) throw new AppError('user_not_found');
    res.json({ ...publicUser(user), token_role: principalOf(req).role });
  });

  route(ROUTES.findUser, async (_req, res, { query }) => {
    const user = await findUserByEmail(pool, query.email);
    res.json({ items: user ? [publicUser(user)] : [] });
  });

  route(ROUTES.grantRole, async (req, res, { body: { role } }) => {
    const id = asUuid(req.params.id, 'invalid_id');
    const user = await setUserRole(ctx.pool, { id }, role);
    if (!user) throw new AppError('user_not_found');
    await versions.forget(id); // the account's older tokens (with the old role) end now
    ctx.logger.info('role granted', { request_id: req.requestId, user_id: id, role, by: principalOf(req).user_id });
    res.json(publicUser(user));
  });

  return r;
}

function asUuid(value: unknown, code: 'invalid_id' | 'user_not_found'): string {
  const id = uuidParam.safeParse(value);
  if (!id.success) throw new AppError(code);
  return id.data;
}

/** The app's token versions (createApp sets them before mounting routers). */
function versionsOf(ctx: IngressContext): TokenVersions {
  if (!ctx.tokenVersions) throw new Error('token versions missing from the ingress context');
  return ctx.tokenVersions;
}
