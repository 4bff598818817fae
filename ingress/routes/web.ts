import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/** The buyer page (`web/`: static HTML, CSS and ES modules, no build step), served at `/`. */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

export function webRouter() {
  const r = express.Router();
  r.use(express.static(WEB_DIR, { index: 'index.html', maxAge: '5m', fallthrough: true }));
  return r;
}
