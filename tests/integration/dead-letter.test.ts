import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import { TestEnv, waitFor } from '../support/env';
import { names } from '../../shared/amqp/topology';

/** Invariant 4 on the queue side: malformed messages are dead-lettered with a reason; the partition keeps flowing. */
describe('poison messages', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('sends malformed messages to bookings.dlq with their reason and keeps deciding the rest', async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 5, price: 10 } });
    const { rows } = await env.pool.query('SELECT partition FROM events WHERE id = $1', [eventId]);
    const n = names(env.config.AMQP_PREFIX);
    const conn = await amqp.connect(env.config.AMQP_URL);
    const ch = await conn.createConfirmChannel();
    const key = n.partitionKey(rows[0].partition);
    const poison = [
      Buffer.from('this is not json'),
      Buffer.from(JSON.stringify({ type: 'book', event_id: eventId })),
      Buffer.from(JSON.stringify({ type: 'launch-missiles', event_id: eventId })),
      Buffer.from(
        JSON.stringify({
          type: 'book',
          event_id: eventId,
          booking_id: 'nope',
          user_id: 'x',
          seq: -1,
          requested_at: 'now',
          request: { quantity: 'all' },
        }),
      ),
    ];
    for (const body of poison) ch.publish(n.bookings, key, body, { persistent: true });
    await ch.waitForConfirms();

    // A valid request queued behind them is still decided.
    const buyer = env.token('buyer-1');
    const ok = await env.http('POST', '/v1/bookings', { token: buyer, body: { event_id: eventId, quantity: 2 } });
    expect(ok.status).toBe(202);
    await waitFor(
      async () =>
        (await env.http('GET', `/v1/bookings/${ok.body.booking_id}`, { token: buyer })).body.status === 'held',
      10_000,
      'valid request decided',
    );

    const dead: Array<{ body: string; reason: unknown }> = [];
    await waitFor(
      async () => {
        const msg = await ch.get(n.deadLetterQueue, { noAck: true });
        if (msg) dead.push({ body: msg.content.toString(), reason: msg.properties.headers?.['x-onsale-error'] });
        return dead.length === poison.length;
      },
      10_000,
      'dead letters',
    );
    expect(dead.map((d) => d.body).sort()).toEqual(poison.map((p) => p.toString()).sort());
    for (const d of dead) expect(d.reason).toEqual(expect.stringMatching(/not JSON|invalid command/));
    expect((await ch.checkQueue(n.partitionQueue(rows[0].partition))).messageCount).toBe(0);
    await conn.close();
  });

  it('rejects a request for an unknown event with an outcome, not a dead letter', async () => {
    const n = names(env.config.AMQP_PREFIX);
    const conn = await amqp.connect(env.config.AMQP_URL);
    const ch = await conn.createConfirmChannel();
    const bookingId = '11111111-1111-4111-8111-111111111111';
    const eventId = '22222222-2222-4222-8222-222222222222';
    ch.publish(
      n.bookings,
      n.partitionKey(0),
      Buffer.from(
        JSON.stringify({
          type: 'book',
          event_id: eventId,
          booking_id: bookingId,
          user_id: 'u',
          seq: 1,
          requested_at: new Date().toISOString(),
          request: { quantity: 1 },
        }),
      ),
      { persistent: true },
    );
    await ch.waitForConfirms();
    await waitFor(
      async () =>
        (await env.pool.query('SELECT status, reason FROM bookings WHERE id = $1', [bookingId])).rowCount === 1,
      10_000,
      'decided',
    );
    const { rows } = await env.pool.query('SELECT status, reason FROM bookings WHERE id = $1', [bookingId]);
    expect(rows[0]).toEqual({ status: 'rejected', reason: 'event_not_found' });
    await conn.close();
  });

  it('dead-letters a message that keeps failing after the delivery limit, and the others around it are decided', async () => {
    // An event whose stored layout is corrupt: expanding it throws inside the worker on every delivery.
    const broken = '33333333-3333-4333-8333-333333333333';
    await env.pool.query(
      `INSERT INTO events (id, organizer_id, name, starts_at, partition, kind, layout, capacity)
       VALUES ($1, 'org', 'Broken', now() + interval '1 day', 0, 'reserved', '{"kind":"reserved","sections":null}', 10)`,
      [broken],
    );
    const good = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
    const n = names(env.config.AMQP_PREFIX);
    const conn = await amqp.connect(env.config.AMQP_URL);
    const ch = await conn.createConfirmChannel();
    const { rows } = await env.pool.query('SELECT partition FROM events WHERE id = $1', [good]);
    // Put the poison in the good event's partition, between good requests.
    await env.pool.query('UPDATE events SET partition = $2 WHERE id = $1', [broken, rows[0].partition]);
    const buyers = ['b1', 'b2', 'b3', 'b4'];
    const ids: string[] = [];
    const send = async (u: string) => {
      const r = await env.http('POST', '/v1/bookings', { token: env.token(u), body: { event_id: good, quantity: 1 } });
      ids.push(r.body.booking_id);
    };
    await send(buyers[0]!);
    await send(buyers[1]!);
    ch.publish(
      n.bookings,
      n.partitionKey(rows[0].partition),
      Buffer.from(JSON.stringify({ type: 'inventory.init', event_id: broken })),
      { persistent: true },
    );
    await ch.waitForConfirms();
    await send(buyers[2]!);
    await send(buyers[3]!);

    let dead: amqp.GetMessage | false = false;
    await waitFor(
      async () => {
        dead = await ch.get(n.deadLetterQueue, { noAck: true });
        return dead !== false;
      },
      30_000,
      'delivery-limit dead letter',
    );
    expect(JSON.parse((dead as unknown as amqp.GetMessage).content.toString())).toEqual({
      type: 'inventory.init',
      event_id: broken,
    });
    const held = async () =>
      (
        await env.pool.query("SELECT count(*)::int AS n FROM bookings WHERE status = 'held' AND id = ANY($1::uuid[])", [
          ids,
        ])
      ).rows[0].n;
    await waitFor(async () => (await held()) === 4, 10_000, 'the requests around the poison');
    await conn.close();
  });
});
