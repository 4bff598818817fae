import { z } from 'zod';
import { ROLES } from '../../shared/auth';
import {
  loginBodySchema,
  passwordChangeBodySchema,
  registerBodySchema,
  roleBodySchema,
  tokenResponseSchema,
  userSchema,
  usersQuerySchema,
} from '../../shared/contracts/catalog';
import type { RouteContract } from './route-table';

/** Accounts: register, log in, log out, change the password, who am I; operators find accounts and grant roles. */
export const ACCOUNT_ROUTES = {
  register: {
    method: 'post',
    path: '/v1/auth/register',
    operationId: 'register',
    tags: ['accounts'],
    summary: 'Create a buyer account and get a token.',
    description:
      'E-mails are unique in any letter case. Passwords (8 characters to 72 bytes) are stored as bcrypt hashes. Every new account is a buyer: the first operator comes only from `npm run user:grant`. Limited to REGISTER_RATE_LIMIT per address per REGISTER_RATE_WINDOW_S (429 with Retry-After).',
    body: registerBodySchema,
    responses: { '201': { description: 'Registered.', schema: tokenResponseSchema } },
    errors: ['validation_failed', 'email_taken', 'rate_limited', 'dependency_unavailable'],
  },
  login: {
    method: 'post',
    path: '/v1/auth/login',
    operationId: 'login',
    tags: ['accounts'],
    summary: 'Exchange e-mail and password for a token.',
    description:
      'Failed attempts are limited per client address and e-mail (LOGIN_RATE_LIMIT per LOGIN_RATE_WINDOW_S), and ten times that per address; past it, 429 with Retry-After. The token carries the role the account has now.',
    body: loginBodySchema,
    responses: { '200': { description: 'Logged in.', schema: tokenResponseSchema } },
    errors: ['validation_failed', 'invalid_credentials', 'rate_limited', 'dependency_unavailable'],
  },
  logout: {
    method: 'post',
    path: '/v1/auth/logout',
    operationId: 'logout',
    tags: ['accounts'],
    summary: 'End every token of the account.',
    description:
      "Bumps the account's token version: this token and every older one are refused (401) within TOKEN_VERSION_CACHE_MS on every instance.",
    roles: [],
    responses: { '204': { description: 'Logged out.' } },
    errors: ['dependency_unavailable'],
  },
  changePassword: {
    method: 'post',
    path: '/v1/auth/password',
    operationId: 'changePassword',
    tags: ['accounts'],
    summary: 'Change the password; older tokens end, a new one is returned.',
    roles: [],
    body: passwordChangeBodySchema,
    responses: { '200': { description: 'Changed.', schema: tokenResponseSchema } },
    errors: ['validation_failed', 'invalid_credentials', 'user_not_found', 'rate_limited', 'dependency_unavailable'],
  },
  me: {
    method: 'get',
    path: '/v1/me',
    operationId: 'me',
    tags: ['accounts'],
    summary: 'The account the token belongs to.',
    roles: [],
    responses: {
      '200': {
        description: 'The account; `token_role` is the role in the token.',
        schema: userSchema.extend({ token_role: z.enum(ROLES) }),
      },
    },
    errors: ['user_not_found'],
  },
  findUser: {
    method: 'get',
    path: '/v1/users',
    operationId: 'findUser',
    tags: ['accounts'],
    summary: 'Find an account by e-mail (operators).',
    roles: ['operator'],
    query: usersQuerySchema,
    responses: { '200': { description: 'Zero or one account.', schema: z.object({ items: z.array(userSchema) }) } },
    errors: ['validation_failed'],
  },
  grantRole: {
    method: 'put',
    path: '/v1/users/:id/role',
    operationId: 'grantRole',
    tags: ['accounts'],
    summary: "Grant a role (operators). The account's older tokens end; its next login carries the role.",
    roles: ['operator'],
    params: { id: "The account's id." },
    body: roleBodySchema,
    responses: { '200': { description: 'The account with its new role.', schema: userSchema } },
    errors: ['invalid_id', 'validation_failed', 'user_not_found'],
  },
} as const satisfies Record<string, RouteContract>;
