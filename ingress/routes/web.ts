import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import type { Config } from '../../shared/config';
import { notifierOrigin } from '../middleware/security-headers';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';

/** The buyer page (`web/`: static HTML, CSS and ES modules, no build step), served at `/`. */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const require = createRequire(import.meta.url);
/** The Socket.IO browser client, served from this origin: the page never loads a script from elsewhere. */
const SOCKET_IO_CLIENT = path.join(path.dirname(require.resolve('socket.io-client/package.json')), 'dist/socket.io.min.js');

export function webRouter(config: Config) {
  const r = express.Router();
  registerRoute(r, '', ROUTES.socketIoClient, async (_req: Request, res: Response) => {
    res.sendFile(SOCKET_IO_CLIENT, { maxAge: '1h', headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });
  // The page's settings come from the server's configuration, never from its URL or storage.
  registerRoute(r, '', ROUTES.clientConfig, async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({ notifier_url: notifierOrigin(config, req) });
  });
  r.use(express.static(WEB_DIR, { index: 'index.html', maxAge: '5m', fallthrough: true }));
  return r;
}
