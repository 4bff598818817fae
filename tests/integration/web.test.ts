import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../ingress/openapi/document';
import { ROOT, TestEnv } from '../support/env';

/**
 * The buyer page is served by ingress (with the Socket.IO client, under a strict CSP), and calls only
 * routes the API documents (with the methods it documents).
 */
describe('buyer web page', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create();
    await env.startIngress();
    await env.startNotifier();
  });
  afterAll(() => env.cleanup());

  it('serves the page, its script and its styles, and leaves API 404s alone', async () => {
    const page = await fetch(`${env.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const script = await fetch(`${env.baseUrl}/app.js`);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
    const css = await fetch(`${env.baseUrl}/style.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, expect.stringMatching(/text\/css/)]);
    const missing = await env.http('GET', '/v1/no-such-thing');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });

  it('serves the Socket.IO client itself and names the notifier from its configuration, not from the URL', async () => {
    const res = await fetch(`${env.baseUrl}/socket.io/socket.io.min.js`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
    expect((await res.text()).length).toBeGreaterThan(10_000);
    const config = await fetch(`${env.baseUrl}/client-config.json?notifier=https://evil.example`);
    expect(await config.json()).toEqual({ notifier_url: `http://127.0.0.1:${env.config.NOTIFIER_PORT}` });
    const source = readFileSync(path.join(ROOT, 'web/app.js'), 'utf8');
    expect(source).not.toMatch(/get\('notifier'\)/);
    expect([...source.matchAll(/el\('script', \{ src: ([^}]*)\}/g)].map((m) => m[1]!.trim())).toEqual(["'/socket.io/socket.io.min.js'"]);
    expect(source).not.toMatch(/localStorage\.getItem\('onsale\.notifier'\)/);
  });

  it('sends a strict Content-Security-Policy and the usual security headers on every response', async () => {
    for (const p of ['/', '/app.js', '/v1/events', '/v1/no-such-thing', '/healthz']) {
      const res = await fetch(`${env.baseUrl}${p}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, p).toContain("script-src 'self'");
      expect(csp, p).toContain("frame-ancestors 'none'");
      expect(csp, p).toContain("object-src 'none'");
      expect(csp, p).not.toContain('unsafe-inline');
      expect(csp, p).toContain(`connect-src 'self' http://127.0.0.1:${env.config.NOTIFIER_PORT} ws://127.0.0.1:${env.config.NOTIFIER_PORT}`);
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

  it('calls only documented routes, with documented methods', () => {
    const source = readFileSync(path.join(ROOT, 'web/app.js'), 'utf8');
    // api('METHOD', `/v1/…`) and fetch(`/v1/…`) calls; template parameters become {param}.
    const calls = [...source.matchAll(/api\('(GET|POST|PUT|PATCH|DELETE)', [`'](\/v1\/[^`'?]*)/g)].map((m) => [m[1]!.toLowerCase(), m[2]!] as const);
    const fetches = [...source.matchAll(/fetch\(`(\/v1\/[^`?]*)/g)].map((m) => ['get', m[1]!] as const);
    const used = [...calls, ...fetches].map(([method, p]) => [method, p.replace(/\$\{[^}]+\}/g, '{id}')] as const);
    expect(used.length).toBeGreaterThan(8);
    const documented = Object.entries(openApiDocument.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => [m, new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`)] as const));
    const undocumented = used.filter(([method, p]) => !documented.some(([m, re]) => m === method && re.test(p)));
    expect(undocumented).toEqual([]);
  });
});
