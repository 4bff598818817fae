import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../ingress/openapi/document';
import { ROOT, TestEnv } from '../support/env';

/**
 * The buyer page is served by ingress, loads the Socket.IO client from the notifier, and calls only
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

  it('finds the Socket.IO client where the page loads it: the notifier', async () => {
    const res = await fetch(`http://127.0.0.1:${env.notifier!.port}/socket.io/socket.io.min.js`);
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBeGreaterThan(10_000);
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
