import http from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { healthRouter } from '../../shared/http/health';
import { metricsGuard } from '../../shared/http/metrics-guard';

/** `/metrics` and the worker's `/status` are not public in production: a token, or 404. */
describe('metrics guard', () => {
  async function serve(config: { NODE_ENV: 'production' | 'development' | 'test'; METRICS_TOKEN?: string }) {
    const app = express();
    app.use(healthRouter({}, new Registry(), () => false, metricsGuard(config)));
    app.get('/status', metricsGuard(config), (_req, res) => void res.json({ ok: true }));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const get = async (p: string, token?: string) =>
      (await fetch(`${base}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
    return { get, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('hides /metrics and /status in production without a token, keeps health checks open', async () => {
    const s = await serve({ NODE_ENV: 'production' });
    try {
      expect(await s.get('/metrics')).toBe(404);
      expect(await s.get('/status')).toBe(404);
      expect(await s.get('/healthz')).toBe(200);
      expect(await s.get('/readyz')).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-for-tests';
    const s = await serve({ NODE_ENV: 'production', METRICS_TOKEN: token });
    try {
      expect(await s.get('/metrics')).toBe(401);
      expect(await s.get('/metrics', 'metrics-token-for-testX')).toBe(401);
      expect(await s.get('/metrics', token)).toBe(200);
      expect(await s.get('/status', token)).toBe(200);
      expect(await s.get('/status')).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('stays open in development without a token', async () => {
    const s = await serve({ NODE_ENV: 'development' });
    try {
      expect(await s.get('/metrics')).toBe(200);
      expect(await s.get('/status')).toBe(200);
    } finally {
      await s.close();
    }
  });
});
