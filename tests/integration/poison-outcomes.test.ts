import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import { TestEnv, waitFor, type ClientSocket } from '../support/env';
import { names } from '../../shared/amqp/topology';
import type { BookingResultPush } from '../../shared/contracts/socket';

/**
 * Invariant 2 for poison: a command PostgreSQL cannot store, or one that keeps failing, is
 * dead-lettered, and its booking still ends `failed` (HTTP and socket push) through the partition,
 * while the commands around it are decided at full batch size without reloading the event.
 */
describe('dead-lettered commands end their bookings failed', () => {
  let env: TestEnv;
  let conn: amqp.ChannelModel;
  let ch: amqp.ConfirmChannel;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
    conn = await amqp.connect(env.config.AMQP_URL);
    ch = await conn.createConfirmChannel();
  }, 60_000);
  afterAll(async () => {
    // Unset when beforeAll failed, whatever its declared type says.
    await (conn as amqp.ChannelModel | undefined)?.close().catch(() => undefined);
    await env.cleanup();
  });

  const metric = async (name: string, partition: number): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${env.workers[0]!.port}/metrics`)).text();
    const m = new RegExp(`^${name}\\{partition="${partition}"\\} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };

  /** What ingress does before publishing: the pending record the notifier and the dead-letter consumer read. */
  const pending = (bookingId: string, eventId: string, userId: string, seq: number) =>
    env.redis.hset(`${env.config.REDIS_PREFIX}booking:${bookingId}:pending`, {
      event_id: eventId,
      user_id: userId,
      seq: String(seq),
      requested_at: new Date().toISOString(),
    });

  const watch = async (
    userId: string,
    bookingId: string,
  ): Promise<{ socket: ClientSocket; results: BookingResultPush[] }> => {
    const socket = await env.socket(env.token(userId));
    const results: BookingResultPush[] = [];
    socket.on('booking.result', (r) => results.push(r));
    const ack = await socket.emitWithAck('booking.watch', { booking_id: bookingId });
    expect(ack.ok).toBe(true);
    return { socket, results };
  };

  it('fails each poison booking among many valid ones, without a failed batch or an event reload', async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 10_000, price: 10 } });
    const { rows } = await env.pool.query<{ partition: number }>('SELECT partition FROM events WHERE id = $1', [
      eventId,
    ]);
    const partition = rows[0]!.partition;
    const n = names(env.config.AMQP_PREFIX);
    const book = (bookingId: string, userId: string, seq: number, request: Record<string, unknown>) => ({
      type: 'book',
      event_id: eventId,
      booking_id: bookingId,
      user_id: userId,
      seq,
      requested_at: new Date().toISOString(),
      request,
    });

    // Poison: what PostgreSQL cannot store (NUL), or any other control character, in each free-text field.
    const hostile: Array<Record<string, unknown>> = [
      { quantity: 1, section: 'Floor\u0000' },
      { quantity: 1, price_tier: '\u0000' },
      { seat_ids: ['A-1\u0000'] },
      { quantity: 1, section: 'Floor\u001fA' },
      { quantity: 1, price_tier: 'vip\u007f' },
    ];
    const poison: Array<{ bookingId: string; userId: string; body: Buffer }> = [];
    let seq = 0;
    for (const request of hostile) {
      const bookingId = randomUUID();
      const userId = `poison-${poison.length}`;
      poison.push({ bookingId, userId, body: Buffer.from(JSON.stringify(book(bookingId, userId, ++seq, request))) });
    }
    // A body that is not even JSON (a raw NUL byte inside a string) still names its booking.
    const rawId = randomUUID();
    poison.push({
      bookingId: rawId,
      userId: 'poison-raw',
      body: Buffer.from(
        JSON.stringify(book(rawId, 'poison-raw', ++seq, { quantity: 1, section: 'X' })).replace('"X"', '"X\u0000"'),
      ),
    });
    expect(() => JSON.parse(poison[poison.length - 1]!.body.toString())).toThrow();
    // A malformed command whose only trace of its booking is the message id and the pending record.
    const bareId = randomUUID();
    poison.push({
      bookingId: bareId,
      userId: 'poison-bare',
      body: Buffer.from(JSON.stringify({ type: 'book', booking_id: 'not-a-uuid', request: 'nope' })),
    });

    for (const p of poison) await pending(p.bookingId, eventId, p.userId, 0);
    const watched = await Promise.all(poison.map((p) => watch(p.userId, p.bookingId)));
    const loadsBefore = await metric('onsale_worker_event_loads_total', partition);
    const failuresBefore = await metric('onsale_worker_batch_failures_total', partition);

    // 400 valid requests with the poison spread among them, straight into the partition queue.
    const valid: string[] = [];
    const key = n.partitionKey(partition);
    for (let i = 0; i < 400; i++) {
      const id = randomUUID();
      valid.push(id);
      ch.publish(n.bookings, key, Buffer.from(JSON.stringify(book(id, `buyer-${i}`, ++seq, { quantity: 1 }))), {
        persistent: true,
        messageId: id,
      });
      if (i % 57 === 0 && poison[i / 57]) {
        const p = poison[i / 57]!;
        ch.publish(n.bookings, key, p.body, { persistent: true, messageId: p.bookingId, type: 'book' });
      }
    }
    await ch.waitForConfirms();
    expect(poison.length).toBe(7);

    const statusOf = async (ids: string[]) =>
      (
        await env.pool.query<{ id: string; status: string; reason: string | null }>(
          'SELECT id, status, reason FROM bookings WHERE id = ANY($1::uuid[])',
          [ids],
        )
      ).rows;
    await waitFor(
      async () => (await statusOf(valid)).filter((r) => r.status === 'held').length === valid.length,
      60_000,
      'every valid request held',
    );
    await waitFor(
      async () =>
        (await statusOf(poison.map((p) => p.bookingId))).filter((r) => r.status === 'failed').length === poison.length,
      60_000,
      'every poison booking failed',
    );

    for (const [i, p] of poison.entries()) {
      const res = await env.http('GET', `/v1/bookings/${p.bookingId}`, { token: env.token(p.userId) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ booking_id: p.bookingId, status: 'failed', reason: 'malformed_command' });
      await waitFor(() => watched[i]!.results.some((r) => r.status === 'failed'), 20_000, `push for ${p.userId}`);
      expect(watched[i]!.results.find((r) => r.status === 'failed')).toMatchObject({
        booking_id: p.bookingId,
        event_id: eventId,
        reason: 'malformed_command',
      });
    }
    // The poison never failed a batch, so nothing was bisected and the event was never reloaded.
    expect(await metric('onsale_worker_batch_failures_total', partition)).toBe(failuresBefore);
    expect(await metric('onsale_worker_event_loads_total', partition)).toBe(loadsBefore);
    // Every dead letter is still kept for audit.
    expect((await ch.checkQueue(n.deadLetterQueue)).messageCount).toBe(poison.length);
  }, 120_000);

  it('fails a booking whose commit keeps failing at the delivery limit, and decides the others', async () => {
    const eventId = await env.createEvent({ general_admission: { capacity: 100, price: 10 } });
    const victim = randomUUID();
    // Fault injection in this test's own database: any write of the victim's booking fails, except `failed`.
    await env.pool.query(`
      CREATE FUNCTION refuse_victim() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = '${victim}' AND NEW.status <> 'failed' THEN RAISE EXCEPTION 'injected commit failure'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_victim BEFORE INSERT OR UPDATE ON bookings FOR EACH ROW EXECUTE FUNCTION refuse_victim();`);
    try {
      const { rows } = await env.pool.query<{ partition: number }>('SELECT partition FROM events WHERE id = $1', [
        eventId,
      ]);
      const n = names(env.config.AMQP_PREFIX);
      const key = n.partitionKey(rows[0]!.partition);
      await pending(victim, eventId, 'victim', 5);
      const { results } = await watch('victim', victim);
      const others: string[] = [];
      const publish = (id: string, userId: string, seq: number) =>
        ch.publish(
          n.bookings,
          key,
          Buffer.from(
            JSON.stringify({
              type: 'book',
              event_id: eventId,
              booking_id: id,
              user_id: userId,
              seq,
              requested_at: new Date().toISOString(),
              request: { quantity: 1 },
            }),
          ),
          { persistent: true, messageId: id },
        );
      for (let i = 0; i < 20; i++) {
        if (i === 10) publish(victim, 'victim', 100);
        const id = randomUUID();
        others.push(id);
        publish(id, `other-${i}`, i + 1);
      }
      await ch.waitForConfirms();
      await waitFor(
        async () =>
          (
            await env.pool.query(
              "SELECT count(*)::int AS n FROM bookings WHERE status = 'held' AND id = ANY($1::uuid[])",
              [others],
            )
          ).rows[0].n === 20,
        60_000,
        'the others held',
      );
      await waitFor(
        async () =>
          (await env.http('GET', `/v1/bookings/${victim}`, { token: env.token('victim') })).body?.status === 'failed',
        60_000,
        'victim failed',
      );
      const res = await env.http('GET', `/v1/bookings/${victim}`, { token: env.token('victim') });
      expect(res.body).toMatchObject({ status: 'failed', reason: 'delivery_limit' });
      await waitFor(
        () => results.some((r) => r.status === 'failed' && r.reason === 'delivery_limit'),
        20_000,
        'push of the failure',
      );
      // The broker dead-lettered it at the delivery limit (x-death says so), and the copy is kept.
      let dead: amqp.GetMessage | false = false;
      await waitFor(
        async () => {
          for (;;) {
            const m = await ch.get(n.deadLetterQueue, { noAck: true });
            if (!m) return false;
            if (m.properties.messageId === victim) return Boolean((dead = m));
          }
        },
        20_000,
        'audit copy',
      );
      expect(JSON.stringify((dead as unknown as amqp.GetMessage).properties.headers?.['x-death'])).toContain(
        'delivery_limit',
      );
    } finally {
      await env.pool.query('DROP TRIGGER refuse_victim ON bookings; DROP FUNCTION refuse_victim()');
    }
  }, 120_000);
});
