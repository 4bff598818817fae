import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnv, waitFor } from '../support/env';
import { opsLiveSchema, type OpsLive } from '../../shared/contracts/ops-live';
import { breakerOf } from '../../ingress/routes/ops-live';

/**
 * The operations console's data: `GET /v1/ops/live` answers, for operators only, per-event counters
 * (accepted, decided, parked, holds, holds expiring), per-partition queue depth, the payment breaker and
 * the sockets every notifier instance reports.
 */
describe('GET /v1/ops/live', () => {
  let env: TestEnv;
  let op: string;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
    op = env.token('op-live', 'operator');
  }, 60_000);
  afterAll(() => env.cleanup());

  const live = async (): Promise<OpsLive> => {
    const res = await env.http('GET', '/v1/ops/live', { token: op });
    expect(res.status).toBe(200);
    return opsLiveSchema.parse(res.body);
  };

  it('is for operators only', async () => {
    expect((await env.http('GET', '/v1/ops/live')).status).toBe(401);
    expect((await env.http('GET', '/v1/ops/live', { token: env.token('buyer-live') })).status).toBe(403);
  });

  it('counts accepted, decided, holds and parked requests of a live event, and connected sockets', async () => {
    const eventId = await env.createEvent({
      max_per_user: 2,
      hold_seconds: 30,
      general_admission: { capacity: 100, price: 5 },
    });
    const socket = await env.socket(env.token('watcher-live'));
    for (let i = 0; i < 5; i++) {
      const res = await env.http('POST', '/v1/bookings', {
        token: env.token(`live-${i}`),
        body: { event_id: eventId, quantity: 1 },
      });
      expect(res.status).toBe(202);
    }
    let snap = await live();
    await waitFor(
      async () => {
        snap = await live();
        const ev = snap.events.find((e) => e.event_id === eventId);
        return ev?.decided === 5 && snap.sockets >= 1;
      },
      20_000,
      'five decided and the socket counted',
    );
    const ev = snap.events.find((e) => e.event_id === eventId)!;
    expect(ev).toMatchObject({
      accepted: 5,
      decided: 5,
      holds: 5,
      holds_expiring: 5,
      parked: 0,
      paused: false,
      throttle_per_s: null,
    });
    expect(snap.notifiers).toBe(1);
    expect(snap.partitions).toHaveLength(env.config.PARTITIONS);
    expect(snap.partitions[ev.partition]!.consumers).toBe(1);

    // Paused: new requests park, and the snapshot says so.
    expect((await env.http('POST', `/v1/ops/events/${eventId}/pause`, { token: op })).status).toBe(200);
    for (let i = 5; i < 8; i++)
      await env.http('POST', '/v1/bookings', {
        token: env.token(`live-${i}`),
        body: { event_id: eventId, quantity: 1 },
      });
    await waitFor(
      async () => (await live()).events.find((e) => e.event_id === eventId)?.parked === 3,
      20_000,
      'three parked',
    );
    const paused = (await live()).events.find((e) => e.event_id === eventId)!;
    expect(paused).toMatchObject({ accepted: 8, paused: true, parked: 3 });

    socket.close();
  }, 90_000);

  it('reports the worst payment breaker over the workers', () => {
    expect(breakerOf([])).toBe('unknown');
    expect(breakerOf(['closed', 'closed'])).toBe('closed');
    expect(breakerOf(['closed', 'half_open'])).toBe('half_open');
    expect(breakerOf(['half_open', 'open', 'closed'])).toBe('open');
  });
});
