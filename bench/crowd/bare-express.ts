import { randomUUID } from 'node:crypto';
import express from 'express';
import jwt from 'jsonwebtoken';

/**
 * The floor the booking path is compared with: a bare Express endpoint that only parses the JSON
 * body, verifies the HS256 bearer token (jsonwebtoken, the run's secret) and answers `202` with a
 * booking id, as ingress does. No validation, no Redis, no broker, no logging, no metrics. Run as its
 * own process (PORT, JWT_SECRET from the environment) so its CPU is its own.
 */
const secret = process.env.JWT_SECRET;
if (!secret) throw new Error('JWT_SECRET is required');
const app = express();
app.get('/readyz', (_req, res) => {
  res.json({ ok: true });
});
app.post('/v1/bookings', express.json(), (req, res) => {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  try {
    jwt.verify(token ?? '', secret, { algorithms: ['HS256'] });
  } catch {
    res.status(401).json({ error: { code: 'unauthorized' } });
    return;
  }
  res.status(202).json({ booking_id: randomUUID(), event_id: (req.body as { event_id?: string }).event_id });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
