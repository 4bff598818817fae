import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Config } from '../../shared/config';

/**
 * Where browsers reach the notifier: NOTIFIER_PUBLIC_URL, else the host name the page was loaded from
 * on NOTIFIER_PORT. Never taken from the page's URL or storage (a `?notifier=` link could otherwise
 * load a script of the attacker's choosing and read the buyer's token).
 */
export function notifierOrigin(config: Config, req: IncomingMessage): string {
  if (config.NOTIFIER_PUBLIC_URL) return new URL(config.NOTIFIER_PUBLIC_URL).origin;
  const host = (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
  const safeHost = /^[\w.-]+$|^\[[0-9a-fA-F:]+\]$/.test(host) ? host : '127.0.0.1';
  return `http://${safeHost}:${config.NOTIFIER_PORT}`;
}

/** The WebSocket origin matching an http(s) origin, for connect-src. */
const wsOf = (origin: string) => origin.replace(/^http/, 'ws');

/**
 * Security headers on every ingress response (helmet): a strict Content-Security-Policy (scripts,
 * styles, images and workers (the proof of work) from this origin only, sockets to this origin and the configured notifier, no
 * framing, no plugins), nosniff, no referrer, HSTS only behind HTTPS in production.
 */
export function securityHeaders(config: Config) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        workerSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: [
          "'self'",
          (req: IncomingMessage, _res: ServerResponse) => notifierOrigin(config, req),
          (req: IncomingMessage, _res: ServerResponse) => wsOf(notifierOrigin(config, req)),
        ],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.NODE_ENV === 'production' && config.PUBLIC_BASE_URL.startsWith('https:'),
    xFrameOptions: { action: 'deny' },
  });
}
