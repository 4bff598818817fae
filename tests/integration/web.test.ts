import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../ingress/openapi/document';
import { buildWeb, webBuildNeeded } from '../../scripts/build-web';
import { ROOT, TestEnv } from '../support/env';

/** Every TypeScript source of the web app, concatenated (for the static checks below). */
function webSources(dir = path.join(ROOT, 'web/src')): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) =>
      e.isDirectory()
        ? webSources(path.join(dir, e.name))
        : /\.tsx?$/.test(e.name)
          ? readFileSync(path.join(dir, e.name), 'utf8')
          : '',
    )
    .join('\n');
}

/**
 * The buyer page is served by ingress (with the Socket.IO client, under a strict CSP), and calls only
 * routes the API documents (with the methods it documents).
 */
describe('buyer web page', () => {
  let env: TestEnv;
  beforeAll(async () => {
    if (webBuildNeeded()) buildWeb();
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
    await env.startWorker();
  });
  afterAll(() => env.cleanup());

  it('serves the page, its script and its styles, and leaves API 404s alone', async () => {
    const page = await fetch(`${env.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)">/.exec(html)?.[1];
    const style = /<link rel="stylesheet" crossorigin href="(\/assets\/[^"]+\.css)">/.exec(html)?.[1];
    expect([script, style]).toEqual([expect.any(String), expect.any(String)]);
    const js = await fetch(`${env.baseUrl}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([
      200,
      expect.stringMatching(/javascript/),
      expect.stringMatching(/immutable/),
    ]);
    const css = await fetch(`${env.baseUrl}${style}`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, expect.stringMatching(/text\/css/)]);
    const missing = await env.http('GET', '/v1/no-such-thing');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });

  it('serves the Socket.IO client itself and names the notifier from its configuration, not from the URL', async () => {
    const res = await fetch(`${env.baseUrl}/socket.io/socket.io.min.js`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
    expect((await res.text()).length).toBeGreaterThan(10_000);
    const config = await fetch(`${env.baseUrl}/client-config.json?notifier=https://evil.example`);
    expect(await config.json()).toEqual({
      notifier_url: `http://127.0.0.1:${env.config.NOTIFIER_PORT}`,
      fee_percent: env.config.FEE_PERCENT,
      fee_fixed_cents: env.config.FEE_FIXED_CENTS,
      max_per_request: env.config.MAX_PER_REQUEST,
    });
    const source = webSources();
    expect(source).not.toMatch(/get\('notifier'\)/);
    expect(source).not.toMatch(/localStorage\.getItem\('onsale\.notifier'\)/);
    // The socket's URL comes only from /client-config.json.
    expect([...source.matchAll(/\bio\(([^,]+),/g)].map((m) => m[1]!.trim())).toEqual(['url']);
  });

  it('sends a strict Content-Security-Policy and the usual security headers on every response', async () => {
    for (const p of ['/', '/client-config.json', '/v1/events', '/v1/no-such-thing', '/healthz']) {
      const res = await fetch(`${env.baseUrl}${p}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, p).toContain("script-src 'self'");
      expect(csp, p).toContain("worker-src 'self'");
      expect(csp, p).toContain("frame-ancestors 'none'");
      expect(csp, p).toContain("object-src 'none'");
      expect(csp, p).not.toContain('unsafe-inline');
      expect(csp, p).toContain(
        `connect-src 'self' http://127.0.0.1:${env.config.NOTIFIER_PORT} ws://127.0.0.1:${env.config.NOTIFIER_PORT}`,
      );
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), p).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
    }
  });

  it('has no inline script or inline event handler that the policy would block', async () => {
    for (const p of ['/', '/docs']) {
      const html = await (await fetch(`${env.baseUrl}${p}`)).text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length, p).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) {
        expect(attrs, p).toMatch(/src="\//);
        expect(body!.trim(), p).toBe('');
      }
      expect(html, p).not.toMatch(/\son[a-z]+\s*=/i);
    }
  });

  it('serves a 20,000-seat map compactly: layout runs and one status character per seat, gzip, well under 150 KB together', async () => {
    const sections = ['A', 'B', 'C', 'D'].map((name, i) => ({
      name,
      rows: 50,
      seats_per_row: 100,
      price: 50 + i * 25,
    }));
    const id = await env.createEvent({ sections });
    const layoutRes = await fetch(`${env.baseUrl}/v1/events/${id}/seat-layout`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    const statusRes = await fetch(`${env.baseUrl}/v1/events/${id}/seat-status`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect([
      layoutRes.status,
      layoutRes.headers.get('content-encoding'),
      statusRes.status,
      statusRes.headers.get('content-encoding'),
    ]).toEqual([200, 'gzip', 200, 'gzip']);
    // Bytes on the wire: fetch gives the decoded body, so measure the raw bodies with a second, non-decoding request.
    const wire = async (p: string) => {
      const { request } = await import('node:http');
      return new Promise<number>((resolve, reject) => {
        request(`${env.baseUrl}${p}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          let n = 0;
          res
            .on('data', (c: Buffer) => (n += c.length))
            .on('end', () => resolve(n))
            .on('error', reject);
        }).end();
      });
    };
    const bytes = (await wire(`/v1/events/${id}/seat-layout`)) + (await wire(`/v1/events/${id}/seat-status`));
    expect(bytes).toBeLessThan(150_000);
    const layout = await layoutRes.json();
    const status = await statusRes.json();
    expect(layout.runs.reduce((n: number, r: number[]) => n + r[3]!, 0)).toBe(20_000);
    expect(layout.sections).toEqual(['A', 'B', 'C', 'D']);
    expect([status.status.length, /^a+$/.test(status.status), status.version]).toEqual([20_000, true, layout.version]);
    const bad = await env.http('GET', '/v1/events/not-a-uuid/seat-status');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_id']);
    const missing = await env.http('GET', `/v1/events/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/seat-layout`);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'event_not_found']);
  });

  it('calls only documented routes, with documented methods', () => {
    const source = webSources();
    // api('METHOD', `/v1/…`) and fetch(`/v1/…`) calls; template parameters become {param}.
    const calls = [...source.matchAll(/api(?:<[^>]*>)?\('(GET|POST|PUT|PATCH|DELETE)', [`'](\/v1\/[^`'?]*)/g)].map(
      (m) => [m[1]!.toLowerCase(), m[2]!] as const,
    );
    const fetches = [...source.matchAll(/fetch\(`(\/v1\/[^`?]*)/g)].map((m) => ['get', m[1]!] as const);
    const used = [...calls, ...fetches].map(([method, p]) => [method, p.replace(/\$\{[^}]+\}/g, '{id}')] as const);
    expect(used.length).toBeGreaterThan(8);
    const documented = Object.entries(openApiDocument.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => [m, new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`)] as const),
    );
    const undocumented = used.filter(([method, p]) => !documented.some(([m, re]) => m === method && re.test(p)));
    expect(undocumented).toEqual([]);
  });
});
