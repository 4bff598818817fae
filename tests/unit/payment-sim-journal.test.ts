import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentSim, type RunningPaymentSim } from '../../payment-sim/server';
import { createLogger } from '../../shared/logger';

/**
 * The simulator with a journal is durable like a real provider: a charge it accepted before a crash
 * is still known after the restart (lookup by idempotency key), is decided then, and its webhook is
 * sent; a webhook that was never delivered is sent again.
 */
describe('payment simulator journal', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'onsale-sim-'));
  const journal = path.join(dir, 'journal.jsonl');
  const received: Array<{ type: string; reference: string }> = [];
  let receiver: http.Server;
  let callbackUrl = '';
  const logger = createLogger('payment-sim', 'error');
  const start = (latency_ms: number) =>
    startPaymentSim({ secret: 'journal-test-secret-long', latency_ms }, 0, logger, {}, { journal_file: journal });

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as { type: string; reference: string });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/v1/payments/callback`;
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const charge = (sim: RunningPaymentSim, key: string) =>
    fetch(`${sim.url}/v1/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idempotency_key: key, amount_cents: 2500, reference: key, callback_url: callbackUrl }),
    });
  const lookup = async (sim: RunningPaymentSim, key: string) => {
    const res = await fetch(`${sim.url}/v1/charges?idempotency_key=${encodeURIComponent(key)}`);
    return { status: res.status, body: (await res.json()) as { id?: string; status?: string } };
  };
  const until = async (check: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('keeps what it accepted across a restart and finishes it', async () => {
    // A quick charge is decided and delivered; a slow one is still pending when the simulator stops.
    const first = await start(10);
    expect((await charge(first, 'b1:a1')).status).toBe(202);
    await until(() => received.some((w) => w.reference === 'b1:a1'), 5000);
    first.configure({ latency_ms: 60_000 });
    const slow = await charge(first, 'b2:a1');
    expect(slow.status).toBe(202);
    const slowId = ((await slow.json()) as { id: string }).id;
    await first.close(); // what a kill -9 leaves: the journal, written before each answer

    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5); // 2 charges, 1 outcome, 1 webhook, 1 delivery

    const second = await start(10);
    try {
      // Known after the restart, by idempotency key; a repeat of the call is the same charge.
      expect(await lookup(second, 'b1:a1')).toMatchObject({ status: 200, body: { status: 'succeeded' } });
      expect((await lookup(second, 'b2:a1')).body.id).toBe(slowId);
      const again = await charge(second, 'b2:a1');
      expect(((await again.json()) as { id: string }).id).toBe(slowId);
      // The pending one is decided after the restart and its webhook sent; the delivered one is not sent again.
      await until(() => received.some((w) => w.reference === 'b2:a1'), 5000);
      expect((await lookup(second, 'b2:a1')).body.status).toBe('succeeded');
      expect(received.filter((w) => w.reference === 'b1:a1')).toHaveLength(1);
      expect(second.charges.size).toBe(2);
      // Something it never took is still unknown.
      expect((await lookup(second, 'never:a1')).status).toBe(404);
    } finally {
      await second.close();
    }
  });
});
