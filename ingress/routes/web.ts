import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import express, { type Request, type Response } from 'express';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import type { IngressContext } from '../context';
import { getCompactLayout, getCompactStatus } from '../read-model/compact-seats';
import { notifierOrigin } from '../middleware/security-headers';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';

/** The web app, built by `npm run build:web` (Vite) into web/dist, served at `/`. */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
const require = createRequire(import.meta.url);
/** The Socket.IO browser client, served from this origin: the page never loads a script from elsewhere. */
const SOCKET_IO_CLIENT = path.join(
  path.dirname(require.resolve('socket.io-client/package.json')),
  'dist/socket.io.min.js',
);

function eventId(req: Request): string {
  const id = uuidParam.safeParse(req.params.id);
  if (!id.success) throw new AppError('invalid_id');
  return id.data;
}

/** The web app's files, its settings, and the compact seat map it draws (all gzip-compressed). */
export function webRouter(ctx: IngressContext) {
  const { config } = ctx;
  const read = ctx.read ?? { pool: ctx.pool, redis: ctx.redis };
  const r = express.Router();
  r.use(compression({ threshold: 1024 }));
  registerRoute(r, config.JWT_SECRET, ROUTES.seatLayout, async (req: Request, res: Response) => {
    const layout = await getCompactLayout(read.pool, read.redis, ctx.keys, eventId(req));
    if (!layout) throw new AppError('event_not_found');
    res.set('Cache-Control', 'private, max-age=5').json(layout);
  });
  registerRoute(r, config.JWT_SECRET, ROUTES.seatStatus, async (req: Request, res: Response) => {
    const status = await getCompactStatus(read.pool, read.redis, ctx.keys, eventId(req));
    if (!status) throw new AppError('event_not_found');
    res.set('Cache-Control', 'no-store').json(status);
  });
  registerRoute(r, '', ROUTES.socketIoClient, (_req: Request, res: Response) => {
    res.sendFile(SOCKET_IO_CLIENT, { maxAge: '1h', headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
    return Promise.resolve();
  });
  // The page's settings come from the server's configuration, never from its URL or storage.
  registerRoute(r, '', ROUTES.clientConfig, (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({
      notifier_url: notifierOrigin(config, req),
      // What an order summary needs before paying, and the limit shown before a request is rejected.
      fee_percent: config.FEE_PERCENT,
      fee_fixed_cents: config.FEE_FIXED_CENTS,
      max_per_request: config.MAX_PER_REQUEST,
    });
    return Promise.resolve();
  });
  // Built assets carry a content hash in their names: cache them for long; index.html always revalidates.
  r.use('/assets', express.static(path.join(WEB_DIR, 'assets'), { immutable: true, maxAge: '1y', fallthrough: true }));
  r.use(express.static(WEB_DIR, { index: 'index.html', maxAge: 0, fallthrough: true }));
  // Not built yet (a fresh clone started without npm start): say how, rather than a bare 404.
  r.use((req: Request, res: Response, next: () => void) => {
    if (req.method !== 'GET' || req.path !== '/') {
      next();
      return;
    }
    res
      .status(503)
      .type('text/plain')
      .send('The web app is not built yet: run `npm run build:web` (npm start builds it when needed).');
  });
  return r;
}
