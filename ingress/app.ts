import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram } from 'prom-client';
import { ingressRegistry } from './cluster';
import type { IngressContext } from './context';
import { errorHandler, requireJson } from './middleware/errors';
import { inputGuard } from './middleware/input-guard';
import { securityHeaders } from './middleware/security-headers';
import { TOKEN_VERSIONS } from './middleware/auth';
import { tokenVersions } from '../shared/token-versions';
import { bookingsRouter } from './routes/bookings';
import { eventPricesRouter } from './routes/event-prices';
import { eventInventoryRouter } from './routes/event-inventory';
import { eventsRouter } from './routes/events';
import { opsRouter } from './routes/ops';
import { fairQueueRouter } from './routes/fair-queue';
import { challengeRouter } from './routes/challenge';
import { presalesRouter } from './routes/presales';
import { waitlistRouter } from './routes/waitlist';
import { authRouter } from './routes/auth';
import { venuesRouter } from './routes/venues';
import { performersRouter } from './routes/performers';
import { docsRouter } from './routes/docs';
import { paymentCallbackRouter } from './routes/payment-callback';
import { checkoutRouter } from './routes/checkout';
import { eventCancelRouter } from './routes/event-cancel';
import { ticketsRouter } from './routes/tickets';
import { meHistoryRouter } from './routes/me-history';
import { opsPaymentsRouter } from './routes/ops-payments';
import { opsLiveRouter } from './routes/ops-live';
import { organizerOverviewRouter } from './routes/organizer-overview';
import { healthRouter, migrationCheck } from '../shared/http/health';
import { metricsGuard } from '../shared/http/metrics-guard';
import { AppError } from '../shared/errors';
import { webRouter } from './routes/web';

/** The ingress HTTP API as an Express app (no listening; see server.ts). */
export function createApp(ctx: IngressContext, state: { shuttingDown: boolean }) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  ctx.tokenVersions ??= tokenVersions({
    pool: ctx.pool,
    redis: ctx.redis,
    prefix: ctx.config.REDIS_PREFIX,
    cacheMs: ctx.config.TOKEN_VERSION_CACHE_MS,
  });
  app.locals[TOKEN_VERSIONS] = ctx.tokenVersions;
  app.use(securityHeaders(ctx.config));
  const registry = ingressRegistry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'onsale_http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'onsale_http_request_seconds',
    help: 'HTTP latency',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });

  // Correlation id: taken from X-Request-Id when sane, else new; it travels into the queue and to the socket push.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    req.requestId = given && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    res.set('X-Request-Id', req.requestId);
    const started = performance.now();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      latency.observe({ method: req.method, route }, (performance.now() - started) / 1000);
    });
    next();
  });
  app.use(
    healthRouter(
      {
        postgres: () => ctx.pool.query('SELECT 1'),
        // Not ready on a database without the migrations this code needs (says `npm run migrate`).
        migrations: migrationCheck(ctx.pool),
        redis: () => ctx.redis.ping(),
        rabbitmq: () => (ctx.broker.connected ? Promise.resolve() : Promise.reject(new Error('not connected'))),
      },
      registry,
      () => state.shuttingDown,
      metricsGuard(ctx.config),
    ),
  );
  // Stop intake while shutting down: new requests get 503 and go elsewhere.
  app.use((_req: Request, _res: Response, next: NextFunction) =>
    next(state.shuttingDown ? new AppError('shutting_down', undefined, undefined, 1) : undefined),
  );
  app.use(requireJson);
  // Payment callbacks need the raw bytes for their HMAC: mounted before the JSON parser.
  app.use(paymentCallbackRouter(ctx));
  app.use(express.json({ limit: ctx.config.BODY_LIMIT, strict: true }));
  app.use(inputGuard);
  app.use(bookingsRouter(ctx));
  app.use(eventsRouter(ctx));
  app.use(eventPricesRouter(ctx));
  app.use(eventInventoryRouter(ctx));
  app.use(opsRouter(ctx));
  app.use(fairQueueRouter(ctx));
  app.use(challengeRouter(ctx));
  app.use(presalesRouter(ctx));
  app.use(waitlistRouter(ctx));
  app.use(authRouter(ctx));
  app.use(venuesRouter(ctx));
  app.use(performersRouter(ctx));
  app.use(docsRouter());
  app.use(checkoutRouter(ctx));
  app.use(eventCancelRouter(ctx));
  app.use(ticketsRouter(ctx));
  app.use(meHistoryRouter(ctx));
  app.use(opsPaymentsRouter(ctx));
  app.use(opsLiveRouter(ctx));
  app.use(organizerOverviewRouter(ctx));
  app.use(webRouter(ctx));
  app.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('not_found')));
  app.use(errorHandler(ctx.logger));
  return app;
}
