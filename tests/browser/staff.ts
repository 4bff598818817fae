import type { Browser, BrowserContext } from 'playwright-core';
import type { TestEnv } from '../support/env';

/**
 * A browser context signed in as an organizer or operator: registered through the API, given the role
 * in PostgreSQL (the first operator comes only from the command line), then signed in again so the
 * token carries the role.
 */
export async function staffContext(
  browser: Browser,
  env: TestEnv,
  email: string,
  role: 'organizer' | 'operator',
  options: object,
): Promise<{ ctx: BrowserContext; token: string }> {
  const password = 'correct horse battery';
  // A person's name in the header, as a real staff account has (not the unique part of the test address).
  const name = role === 'operator' ? 'Olu Operator' : 'Orla Organizer';
  const reg = await env.http('POST', '/v1/auth/register', { body: { email, password, name } });
  if (reg.status !== 201) throw new Error(`register ${email}: ${reg.status} ${JSON.stringify(reg.body)}`);
  await env.pool.query('UPDATE users SET role = $2 WHERE id = $1', [reg.body.user.id, role]);
  const login = await env.http('POST', '/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login ${email}: ${login.status} ${JSON.stringify(login.body)}`);
  const ctx = await browser.newContext({ ...options, baseURL: env.baseUrl });
  const session = { token: login.body.token as string, user: login.body.user };
  await ctx.addInitScript((s) => {
    if (!localStorage.getItem('onsale.token')) {
      localStorage.setItem('onsale.token', s.token);
      localStorage.setItem('onsale.user', JSON.stringify(s.user));
    }
  }, session);
  return { ctx, token: session.token };
}
