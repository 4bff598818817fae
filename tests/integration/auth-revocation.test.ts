import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';
import { startIngress, type RunningIngress } from '../../ingress/server';
import { createLogger } from '../../shared/logger';

/**
 * A logout, a password change or a role change ends the account's older tokens within seconds, on
 * every ingress instance (token versions in PostgreSQL, mirrored in Redis, cached briefly in memory);
 * registrations are limited per address.
 */
describe('token revocation and registration limits', () => {
  let env: TestEnv;
  let other: RunningIngress;
  const password = 'correct horse battery';
  beforeAll(async () => {
    env = await TestEnv.create({ PASSWORD_HASH_COST: '4', TOKEN_VERSION_CACHE_MS: '1000', REGISTER_RATE_LIMIT: '4' });
    await env.startIngress();
    // A second ingress instance: it must learn of a revocation made through the first.
    other = await startIngress(env.config, createLogger('ingress-2'), 0);
  });
  afterAll(async () => {
    await other.close();
    await env.cleanup();
  });

  const register = (email: string) =>
    env.http('POST', '/v1/auth/register', { body: { email, password, name: 'Someone' } });
  const me = (token: string) => env.http('GET', '/v1/me', { token });
  const meOnOther = async (token: string) =>
    (await fetch(`http://127.0.0.1:${other.port}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('logout ends every older token of the account, here and on another instance, within seconds', async () => {
    const first = (await register('dana@example.com')).body.token as string;
    const second = (await env.http('POST', '/v1/auth/login', { body: { email: 'dana@example.com', password } })).body
      .token as string;
    expect((await me(first)).status).toBe(200);
    expect(await meOnOther(second)).toBe(200); // cached as current on the other instance
    const started = Date.now();
    expect((await env.http('POST', '/v1/auth/logout', { token: first })).status).toBe(204);
    expect((await me(first)).status).toBe(401);
    expect((await me(second)).status).toBe(401);
    await waitFor(async () => (await meOnOther(second)) === 401, 10_000, 'revocation seen by the other instance');
    expect(Date.now() - started).toBeLessThan(5_000);
    // Signing in again works, with a fresh token.
    const again = await env.http('POST', '/v1/auth/login', { body: { email: 'dana@example.com', password } });
    expect((await me(again.body.token)).status).toBe(200);
  });

  it('a password change needs the current password, ends older tokens and returns a new one', async () => {
    const token = (await register('erin@example.com')).body.token as string;
    const wrong = await env.http('POST', '/v1/auth/password', {
      token,
      body: { current_password: 'not the password', new_password: 'a brand new secret' },
    });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'invalid_credentials']);
    const short = await env.http('POST', '/v1/auth/password', {
      token,
      body: { current_password: password, new_password: 'short' },
    });
    expect([short.status, short.body.error.code]).toEqual([400, 'validation_failed']);
    const changed = await env.http('POST', '/v1/auth/password', {
      token,
      body: { current_password: password, new_password: 'a brand new secret' },
    });
    expect(changed.status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await me(changed.body.token)).status).toBe(200);
    expect((await env.http('POST', '/v1/auth/login', { body: { email: 'erin@example.com', password } })).status).toBe(
      401,
    );
    expect(
      (
        await env.http('POST', '/v1/auth/login', {
          body: { email: 'erin@example.com', password: 'a brand new secret' },
        })
      ).status,
    ).toBe(200);
  });

  it('a role change ends the older tokens that carry the old role', async () => {
    const user = (await register('finn@example.com')).body;
    const operator = env.token(await env.createUser('root@example.com', 'operator'), 'operator');
    expect(
      (await env.http('PUT', `/v1/users/${user.user.id}/role`, { token: operator, body: { role: 'organizer' } }))
        .status,
    ).toBe(200);
    expect((await me(user.token)).status).toBe(401);
    await waitFor(async () => (await meOnOther(user.token)) === 401, 10_000, 'role change seen by the other instance');
    const fresh = await env.http('POST', '/v1/auth/login', { body: { email: 'finn@example.com', password } });
    expect(fresh.body.user.role).toBe('organizer');
    expect((await me(fresh.body.token)).status).toBe(200);
  });

  it('limits registrations per address with 429 and Retry-After', async () => {
    // Three registrations above, plus the ones here: the fifth attempt in the window is refused.
    expect((await register('gus@example.com')).status).toBe(201);
    const limited = await register('hal@example.com');
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
