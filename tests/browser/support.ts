import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, type TestEnv } from '../support/env';

const require = createRequire(import.meta.url);
/** axe-core's browser build, injected into each page under test. */
const AXE = require.resolve('axe-core/axe.min.js');
export const SHOTS = path.join(ROOT, 'tests/browser/screenshots');

/** Debian's Chromium, headless, with no downloads, no background traffic and no sandbox (containers). */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP = { viewport: { width: 1280, height: 900 } };
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const displayName = (email: string): string => {
  const word = email.split(/[-@.]/)[0] ?? 'Test';
  return `${word.charAt(0).toUpperCase()}${word.slice(1)} Buyer`;
};

/** A signed-up buyer (through the API, as the page would) and a browser context already signed in. */
export async function signedInContext(
  browser: Browser,
  env: TestEnv,
  email: string,
  options = DESKTOP,
): Promise<{ ctx: BrowserContext; token: string; userId: string }> {
  const res = await env.http('POST', '/v1/auth/register', {
    // A person's name in the header (the e-mail's first word, e.g. `desk-<uuid>@…` → "Desk Buyer"),
    // as a real account has, not the unique part of the test address.
    body: { email, password: 'correct horse battery', name: displayName(email) },
  });
  if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const ctx = await browser.newContext({ ...options, baseURL: env.baseUrl });
  const session = { token: res.body.token as string, user: res.body.user };
  await ctx.addInitScript((s) => {
    if (!localStorage.getItem('onsale.token')) {
      localStorage.setItem('onsale.token', s.token);
      localStorage.setItem('onsale.user', JSON.stringify(s.user));
    }
  }, session);
  return { ctx, token: session.token, userId: res.body.user.id as string };
}

/** Serious or critical axe-core violations on the page as it is now (empty when clean). */
export async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            opts: object,
          ) => Promise<{
            violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
}

/** Runs `fn`; on failure saves a screenshot of each page named after the step, then rethrows. */
export async function step<T>(name: string, pages: Page[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    mkdirSync(SHOTS, { recursive: true });
    for (const [i, p] of pages.entries())
      await p
        .screenshot({ path: path.join(SHOTS, `FAILED-${name.replace(/\W+/g, '-')}-${i}.png`), fullPage: true })
        .catch(() => undefined);
    throw err;
  }
}

/** A screenshot for the README (small: viewport only, CSS pixels), written only with SCREENSHOTS=1. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = path.join(ROOT, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), scale: 'css' });
}

/** A free TCP port (for a notifier that must come back on the same port after a restart). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The page has no horizontal scrolling (a 390-px phone shows everything without overflow). */
export async function overflowX(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

declare global {
  interface Window {
    /** Timings the web app records (web/src/lib/metrics.ts). */
    __onsale?: { mapReadyMs?: number; seatCount?: number; bursts: Array<{ seats: number; ms: number }> };
  }
}
