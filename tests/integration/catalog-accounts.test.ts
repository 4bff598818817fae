import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envOf, ROOT, TestEnv, waitFor } from '../support/env';

/** Accounts: register, log in, roles, rate limiting, the first operator from the grant CLI. */
describe('accounts', () => {
  let env: TestEnv;
  const password = 'correct horse battery';
  beforeAll(async () => {
    env = await TestEnv.create({ PASSWORD_HASH_COST: '4', LOGIN_RATE_LIMIT: '3', AUTH_TOKEN_TTL_S: '3600' });
    await env.startIngress();
  });
  afterAll(() => env.cleanup());

  const register = (email: string, name = 'Someone', pw = password) =>
    env.http('POST', '/v1/auth/register', { body: { email, password: pw, name } });
  const login = (email: string, pw = password) => env.http('POST', '/v1/auth/login', { body: { email, password: pw } });

  it('registers a buyer with a hashed password and a token the API accepts, with an expiry', async () => {
    const res = await register('Alice@Example.com', 'Alice');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      user: { email: 'Alice@Example.com', name: 'Alice', role: 'buyer' },
    });
    const claims = jwt.decode(res.body.token) as { sub: string; role: string; exp: number; iat: number };
    expect(claims).toMatchObject({ sub: res.body.user.id, role: 'buyer' });
    expect(claims.exp - claims.iat).toBe(3600);
    const me = await env.http('GET', '/v1/me', { token: res.body.token });
    expect(me).toMatchObject({
      status: 200,
      body: { id: res.body.user.id, email: 'Alice@Example.com', role: 'buyer' },
    });
    const { rows } = await env.pool.query('SELECT password_hash FROM users WHERE id = $1', [res.body.user.id]);
    expect(rows[0].password_hash).toMatch(/^\$2[aby]\$04\$/);
    expect(rows[0].password_hash).not.toContain(password);
  });

  it('keeps e-mails unique whatever their case', async () => {
    const res = await register('ALICE@example.COM');
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'email_taken' } } });
  });

  it('refuses bad registrations with 400 validation_failed', async () => {
    for (const body of [
      { email: 'not-an-email', password, name: 'x' },
      { email: 'b@example.com', password: 'short', name: 'x' },
      { email: 'b@example.com', password: 'x'.repeat(73), name: 'x' },
      { email: 'b@example.com', password, name: '' },
      { email: 'b@example.com', password, name: 'x', role: 'operator' },
    ]) {
      const res = await env.http('POST', '/v1/auth/register', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('logs in with any letter case of the e-mail; a wrong password and an unknown e-mail get the same 401', async () => {
    expect((await login('alice@example.com')).status).toBe(200);
    const wrong = await login('alice@example.com', 'wrong password!');
    const unknown = await login('nobody@example.com');
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials' } } });
    expect(unknown).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_credentials', message: wrong.body.error.message } },
    });
  });

  it('rate-limits failed logins per address and e-mail with 429 and Retry-After; successes do not count', async () => {
    await register('carol@example.com');
    for (let i = 0; i < 5; i++) expect((await login('carol@example.com')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login('carol@example.com', 'nope nope nope')).status).toBe(401);
    const limited = await login('carol@example.com');
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked out by carol's counter.
    expect((await login('alice@example.com')).status).toBe(200);
  });

  it('makes an operator only from the command line, who grants roles; older tokens end, the next login carries them', async () => {
    const registered = await register('boss@example.com', 'Boss');
    expect(registered.body.user.role).toBe('buyer');
    // Asynchronously: a blocked event loop would stall this process's ingress meanwhile.
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'scripts/grant-role.ts'),
        '--email',
        'boss@example.com',
        '--role',
        'operator',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ...envOf(env.config), LOG_LEVEL: 'error' },
      },
    );
    await waitFor(
      async () => (await env.http('GET', '/v1/me', { token: registered.body.token })).status === 401,
      10_000,
      'old token refused',
    );
    const boss = await login('boss@example.com', undefined);
    expect(boss.body.user.role).toBe('operator');
    const bob = await register('bob@example.com', 'Bob');
    expect((await env.http('POST', '/v1/venues', { token: bob.body.token, body: {} })).status).toBe(403);
    // Only operators grant.
    const self = await env.http('PUT', `/v1/users/${bob.body.user.id}/role`, {
      token: bob.body.token,
      body: { role: 'operator' },
    });
    expect(self).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const found = await env.http('GET', '/v1/users?email=BOB@example.com', { token: boss.body.token });
    expect(found.body.items).toEqual([expect.objectContaining({ id: bob.body.user.id })]);
    const granted = await env.http('PUT', `/v1/users/${bob.body.user.id}/role`, {
      token: boss.body.token,
      body: { role: 'organizer' },
    });
    expect(granted).toMatchObject({ status: 200, body: { role: 'organizer' } });
    expect(
      (
        await env.http('PUT', '/v1/users/00000000-0000-4000-8000-000000000000/role', {
          token: boss.body.token,
          body: { role: 'organizer' },
        })
      ).body.error.code,
    ).toBe('user_not_found');
    expect(
      (await env.http('PUT', `/v1/users/${bob.body.user.id}/role`, { token: boss.body.token, body: { role: 'king' } }))
        .body.error.code,
    ).toBe('validation_failed');

    // Bob's older token (role buyer) ends with the role change.
    expect((await env.http('GET', '/v1/me', { token: bob.body.token })).status).toBe(401);
    const again = await login('bob@example.com');
    expect(again.body.user.role).toBe('organizer');
    const venue = await env.http('POST', '/v1/venues', {
      token: again.body.token,
      body: { name: 'Bob Hall', city: 'Oslo', lat: 59.9, lon: 10.7, standing_capacity: 100 },
    });
    expect(venue.status).toBe(201);
    expect(venue.body.organizer_id).toBe(bob.body.user.id);
  });

  it('answers 401 without a token and 404 user_not_found for a token of no account', async () => {
    expect((await env.http('GET', '/v1/me')).status).toBe(401);
    expect((await env.http('GET', '/v1/me', { token: env.token('not-an-account') })).body.error.code).toBe(
      'user_not_found',
    );
  });

  it('grants a role from the command line (npm run user:grant), creating the account if asked', async () => {
    // Asynchronously: spawnSync would block this process's ingress, and a client's kept-alive socket
    // could then meet a server that closed it meanwhile (ECONNRESET).
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/grant-role.ts'), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...envOf(env.config), LOG_LEVEL: 'error' },
      }).then(
        () => ({ status: 0 }),
        (err: unknown) => ({ status: (err as { code?: number }).code ?? -1 }),
      );
    expect((await run(['--email', 'carol@EXAMPLE.com', '--role', 'operator'])).status).toBe(0);
    expect((await env.pool.query("SELECT role FROM users WHERE lower(email) = 'carol@example.com'")).rows[0].role).toBe(
      'operator',
    );
    expect((await run(['--email', 'nobody@example.com', '--role', 'operator'])).status).toBe(1);
    expect(
      (
        await run([
          '--email',
          'new-ops@example.com',
          '--role',
          'operator',
          '--password',
          'a long secret',
          '--name',
          'Ops',
        ])
      ).status,
    ).toBe(0);
    const ops = await login('new-ops@example.com', 'a long secret');
    expect(ops).toMatchObject({ status: 200, body: { user: { role: 'operator', name: 'Ops' } } });
    expect((await run(['--email', 'x@example.com', '--role', 'king'])).status).toBe(2);
  });
});
