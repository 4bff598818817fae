import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifier, type RunningNotifier } from '../../notifier/server';
import { loadNotifierSettings } from '../../notifier/settings';
import { createLogger } from '../../shared/logger';
import { tokenVersionKey } from '../../shared/token-versions';
import { TestEnv, waitFor, type ClientSocket } from '../support/env';
import { SocketPool } from '../support/notifier';

/**
 * The notifier honours the token versions ingress keeps: a socket whose token was revoked (logout,
 * password or role change) is told `session.revoked` and disconnected within seconds, may start no
 * new watch meanwhile, and cannot reconnect with the old token; other accounts are untouched.
 */
describe('notifier token revocation', () => {
  let env: TestEnv;
  const notifiers: RunningNotifier[] = [];
  const sockets = new SocketPool();
  const password = 'correct horse battery';
  let eventId: string;

  beforeAll(async () => {
    env = await TestEnv.create({ PASSWORD_HASH_COST: '4', TOKEN_VERSION_CACHE_MS: '500' });
    await env.startIngress();
    await env.startWorker();
    eventId = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
  }, 60_000);
  afterAll(async () => {
    sockets.closeAll();
    for (const n of notifiers) await n.close();
    await env.cleanup();
  });

  const notifier = async (sweepMs: number) => {
    const n = await startNotifier(
      env.config,
      createLogger('notifier'),
      0,
      loadNotifierSettings({}, { NOTIFIER_REVOCATION_SWEEP_MS: sweepMs }),
    );
    notifiers.push(n);
    return n;
  };
  const account = async (email: string) => {
    const registered = await env.http('POST', '/v1/auth/register', { body: { email, password, name: 'Someone' } });
    expect(registered.status).toBe(201);
    // Issuing a token warms the version's Redis mirror: the first request reads Redis, not PostgreSQL.
    expect(await env.redis.get(tokenVersionKey(env.config.REDIS_PREFIX, registered.body.user.id as string))).toBe('0');
    return registered.body.token as string;
  };
  const login = async (email: string) =>
    (await env.http('POST', '/v1/auth/login', { body: { email, password } })).body.token as string;
  const ended = (s: ClientSocket) => {
    const seen = { revoked: false, disconnected: false };
    s.on('session.revoked', (p) => {
      seen.revoked = p.message.length > 0;
    });
    s.on('disconnect', () => (seen.disconnected = true));
    return seen;
  };

  it('disconnects every socket of a logged-out account within seconds, and refuses the old token', async () => {
    const n = await notifier(300);
    const first = await account('ivy@example.com');
    const second = await login('ivy@example.com');
    const bystander = await account('jon@example.com');
    const a = await sockets.connect(n.port, first);
    const b = await sockets.connect(n.port, second);
    const c = await sockets.connect(n.port, bystander);
    expect(await a.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
    const seenA = ended(a);
    const seenB = ended(b);
    const seenC = ended(c);

    const started = Date.now();
    expect((await env.http('POST', '/v1/auth/logout', { token: first })).status).toBe(204);
    await waitFor(() => seenA.disconnected && seenB.disconnected, 10_000, 'revoked sockets disconnected');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([seenA.revoked, seenB.revoked]).toEqual([true, true]);

    // The old token cannot come back (at the latest once this process's cached version, at most
    // TOKEN_VERSION_CACHE_MS old, is renewed); a fresh one can; another account was never touched.
    let refused: string | null | undefined = null;
    await waitFor(
      async () => {
        refused = await sockets.connect(n.port, second).then(
          (s) => (s.close(), null),
          (err: unknown) => (err as { data?: { code?: string } }).data?.code,
        );
        return refused !== null;
      },
      5_000,
      'old token refused',
    );
    expect(refused).toBe('unauthorized');
    const fresh = await sockets.connect(n.port, await login('ivy@example.com'));
    expect(await fresh.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
    expect(seenC).toEqual({ revoked: false, disconnected: false });
    expect(await c.emitWithAck('event.watch', { event_id: eventId })).toEqual({ ok: true });
  }, 60_000);

  it('refuses a new watch of a revoked token before any sweep, and ends that socket', async () => {
    const n = await notifier(60_000); // no sweep within the test: the watch itself must notice
    const token = await account('kim@example.com');
    const s = await sockets.connect(n.port, token);
    const seen = ended(s);
    expect(
      (
        await env.http('POST', '/v1/auth/password', {
          token,
          body: { current_password: password, new_password: 'a brand new secret' },
        })
      ).status,
    ).toBe(200);
    // Within the token-version cache (TOKEN_VERSION_CACHE_MS) the notifier may still trust it; not after.
    let ack: unknown = null;
    await waitFor(
      async () => {
        // A booking nobody has: answered `booking_not_found` while the token counts, `unauthorized` after.
        ack = await s.emitWithAck('booking.watch', { booking_id: randomUUID() });
        return (ack as { code?: string }).code !== 'booking_not_found';
      },
      10_000,
      'watch refused',
    );
    expect(ack).toMatchObject({ ok: false, code: 'unauthorized', message: expect.stringContaining('revoked') });
    await waitFor(() => seen.disconnected, 5_000, 'socket ended');
    expect(seen.revoked).toBe(true);
  }, 60_000);
});
