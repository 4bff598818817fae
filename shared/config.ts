import { z } from 'zod';

/**
 * Every setting Onsale reads from the environment, validated once at start-up.
 * A bad value fails fast with a message that names the variable.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** @defaultValue `postgres://postgres@127.0.0.1:5432/onsale` */
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/onsale'),
  /** @defaultValue `amqp://guest:guest@127.0.0.1:5672` */
  AMQP_URL: z.url().default('amqp://guest:guest@127.0.0.1:5672'),
  /** @defaultValue `redis://127.0.0.1:6379` */
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /** Ingress HTTP port. @defaultValue 3000 */
  PORT: port.default(3000),
  /**
   * Ingress processes sharing PORT (node:cluster): 1 runs ingress in the process itself; more start a
   * small primary that forks that many ingress processes, restarts one that dies and aggregates their
   * `/metrics`. @defaultValue 1
   */
  INGRESS_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** Notifier Socket.IO port. @defaultValue 3001 */
  NOTIFIER_PORT: port.default(3001),
  /** Worker health/metrics port (0 picks a free one). @defaultValue 3002 */
  WORKER_PORT: port.default(3002),
  /** HS256 secret for bearer tokens. Must be changed in production. */
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').default('onsale-dev-secret-change-me'),
  /** Number of booking partitions (queues bookings.p0 … p{N-1}). @defaultValue 8 */
  PARTITIONS: z.coerce.number().int().min(1).max(1024).default(8),
  /** Prefix for every exchange and queue name (test isolation, several installs on one broker). */
  AMQP_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - only')
    .default(''),
  /** Prefix for every Redis key. @defaultValue `onsale:` */
  REDIS_PREFIX: z.string().default('onsale:'),
  /** Unacked messages a worker takes per partition. @defaultValue 500 */
  WORKER_PREFETCH: positiveInt.max(65535).default(500),
  /** Largest batch decided and committed in one transaction. @defaultValue 500 */
  WORKER_BATCH_MAX: positiveInt.default(500),
  /**
   * An event with no command for this long and nothing pending in memory (no hold, no parked request,
   * no draw due) leaves the worker's memory; the next command for it loads it again from PostgreSQL,
   * as a failover would. Keeps a long-running worker's memory to the events on sale now, in ms.
   * @defaultValue 120000
   */
  WORKER_EVENT_IDLE_MS: positiveInt.max(86_400_000).default(120_000),
  /** Deliveries after which a message is dead-lettered (quorum x-delivery-limit). @defaultValue 5 */
  DELIVERY_LIMIT: positiveInt.default(5),
  /** How often each worker sends a liveness tick into every partition, in ms. @defaultValue 1000 */
  TICK_MS: positiveInt.default(1000),
  /** Seats or units one request may ask for, across all events. @defaultValue 10 */
  MAX_PER_REQUEST: positiveInt.max(1000).default(10),
  /**
   * Minutes before an event's on-sale time that its queue opens: requests from then on wait, queued
   * in arrival order, and are decided from the on-sale time; earlier ones are rejected `not_on_sale`.
   * 0: no waiting room. @defaultValue 30
   */
  WAITING_ROOM_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(30),
  /** Seconds a waitlist offer (a hold) stays open before it passes to the next entry. @defaultValue 900 */
  WAITLIST_OFFER_SECONDS: positiveInt.max(86_400).default(900),
  /** Seconds a proof-of-work challenge stays valid (GET /v1/events/{id}/challenge). @defaultValue 300 */
  POW_CHALLENGE_SECONDS: positiveInt.max(86_400).default(300),
  /** Largest accepted JSON body. @defaultValue `64kb` */
  BODY_LIMIT: z.string().default('64kb'),
  /** Publishes awaiting a broker confirm before ingress answers 503 (backpressure). @defaultValue 5000 */
  PUBLISH_MAX_IN_FLIGHT: positiveInt.default(5000),
  /**
   * How long ingress waits for the broker to confirm a publish before it answers 503 (the request
   * may still be queued: the answer carries its booking id), in ms. @defaultValue 5000
   */
  PUBLISH_CONFIRM_TIMEOUT_MS: positiveInt.default(5000),
  /** How long a graceful shutdown may take before it is forced, in ms. @defaultValue 10000 */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),

  // --- checkout, payments, tickets ---
  /** Seconds a checkout extends the hold by (once per booking), so a payment in flight can land. @defaultValue 120 */
  PAYMENT_GRACE_SECONDS: positiveInt.max(3600).default(120),
  /** Service fee, percent of the seats' price. @defaultValue 10 */
  FEE_PERCENT: z.coerce.number().min(0).max(100).default(10),
  /** Fixed fee per ticket, in cents. @defaultValue 150 */
  FEE_FIXED_CENTS: z.coerce.number().int().min(0).default(150),
  /** Base URL of the payment provider's API (the simulator by default). @defaultValue `http://127.0.0.1:3003` */
  PAYMENT_PROVIDER_URL: z.url().default('http://127.0.0.1:3003'),
  /** Shared secret of the provider's HMAC-signed webhooks. Must be changed in production. */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').default('onsale-dev-webhook-secret'),
  /** Oldest signature timestamp a callback may carry, in seconds (replay window). @defaultValue 300 */
  PAYMENT_WEBHOOK_TOLERANCE_S: positiveInt.default(300),
  /** Where the provider reaches ingress: callbacks go to `<PUBLIC_BASE_URL>/v1/payments/callback`. @defaultValue `http://127.0.0.1:3000` */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  /** Provider calls in flight per worker process (p-limit). @defaultValue 16 */
  PAYMENT_CONCURRENCY: positiveInt.max(1000).default(16),
  /** A provider call taking longer than this fails (and counts against the breaker), in ms. @defaultValue 5000 */
  PAYMENT_TIMEOUT_MS: positiveInt.default(5000),
  /**
   * A charge still waiting for its webhook this long after it was asked for is looked up at the
   * provider by its idempotency key (its webhook may be lost in a provider crash), in ms. @defaultValue 30000
   */
  PAYMENT_RECONCILE_AFTER_MS: positiveInt.max(3_600_000).default(30000),
  /** Retries of a provider call after a transient error (network, 5xx, timeout). @defaultValue 2 */
  PAYMENT_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** First retry delay in ms; doubles each retry. @defaultValue 200 */
  PAYMENT_RETRY_BASE_MS: positiveInt.default(200),
  /** Failure percentage over the window that opens the circuit breaker. @defaultValue 50 */
  PAYMENT_BREAKER_ERROR_PERCENT: z.coerce.number().min(1).max(100).default(50),
  /** Calls in the window before the breaker may open. @defaultValue 5 */
  PAYMENT_BREAKER_VOLUME: positiveInt.default(5),
  /** How long the breaker stays open before a trial call (half-open), in ms. @defaultValue 10000 */
  PAYMENT_BREAKER_RESET_MS: positiveInt.default(10000),
  /** Rolling window of the breaker's statistics, in ms. @defaultValue 10000 */
  PAYMENT_BREAKER_WINDOW_MS: positiveInt.default(10000),
  /** Payment simulator HTTP port (`npm run start:payment-sim`). @defaultValue 3003 */
  PAYMENT_SIM_PORT: port.default(3003),
  /** Simulator: delay before a charge's webhook, in ms. @defaultValue 300 */
  PAYMENT_SIM_LATENCY_MS: z.coerce.number().int().min(0).default(300),
  /** Simulator: share of charges declined, 0 to 1. @defaultValue 0 */
  PAYMENT_SIM_DECLINE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Ed25519 seed (32 bytes, hex) that signs ticket barcodes. Must be changed in production. */
  TICKET_SIGNING_SEED: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
    .default('8f6b1c0e5a7d4e2f9b3c1a0d6e8f7a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f'),
  /** SMTP server for confirmation e-mails (`smtp://user:pass@host:587`); unset = e-mails are logged. */
  SMTP_URL: z.url().optional(),
  /** Sender of confirmation e-mails. @defaultValue `Onsale <tickets@onsale.local>` */
  EMAIL_FROM: z.string().min(3).default('Onsale <tickets@onsale.local>'),
  /** How often the e-mail outbox relay looks for unsent rows, in ms. @defaultValue 1000 */
  OUTBOX_POLL_MS: positiveInt.default(1000),

  // --- catalog and discovery: accounts, search, event pages ---
  /** Lifetime of a token issued by register/login, in seconds. @defaultValue 43200 (12 h) */
  AUTH_TOKEN_TTL_S: positiveInt.max(30 * 86400).default(43200),
  /** bcrypt cost factor of password hashes (each +1 doubles the work; 10 ≈ 90 ms here). @defaultValue 10 */
  PASSWORD_HASH_COST: z.coerce.number().int().min(4).max(15).default(10),
  /** Booking requests one account may have accepted per BOOKING_RATE_WINDOW_S (per ingress process). @defaultValue 30 */
  BOOKING_RATE_LIMIT: positiveInt.max(1_000_000).default(30),
  /** Booking rate-limit window, in seconds. @defaultValue 60 */
  BOOKING_RATE_WINDOW_S: positiveInt.max(86400).default(60),
  /** Failed-or-not login attempts per IP and e-mail in one window. @defaultValue 10 */
  LOGIN_RATE_LIMIT: positiveInt.max(100_000).default(10),
  /** Login rate-limit window, in seconds. @defaultValue 900 */
  LOGIN_RATE_WINDOW_S: positiveInt.max(86400).default(900),
  /** How long an event page stays in the Redis cache, in seconds. @defaultValue 30 */
  EVENT_CACHE_TTL_S: positiveInt.max(86400).default(30),
  /** How long a search hit's availability counts are reused, in seconds. @defaultValue 2 */
  AVAILABILITY_CACHE_TTL_S: positiveInt.max(3600).default(2),
  /** How long a search answer is reused for the same query, in seconds; 0 turns the cache off. @defaultValue 5 */
  SEARCH_CACHE_TTL_S: z.coerce.number().int().min(0).max(3600).default(5),
  /** PostgreSQL for search and event pages (a read replica); unset = DATABASE_URL through its own pool. */
  READ_DATABASE_URL: z.url().optional(),
  /** Connections of the read pool (search, event pages), apart from the booking path's. @defaultValue 8 */
  READ_POOL_SIZE: positiveInt.max(200).default(8),
  /** A search query running longer than this is cancelled (503), in ms. @defaultValue 2000 */
  SEARCH_TIMEOUT_MS: positiveInt.max(60_000).default(2000),

  // --- security ---
  /**
   * The notifier's URL as browsers reach it (the buyer page connects there, and the page's
   * Content-Security-Policy allows it). Unset: the page's own host name on NOTIFIER_PORT.
   */
  NOTIFIER_PUBLIC_URL: z.url().optional(),
  /**
   * Bearer token for `/metrics` and the worker's `/status`. Unset: open outside production, refused
   * (404) in production.
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Registrations one client address may make per REGISTER_RATE_WINDOW_S. @defaultValue 5 */
  REGISTER_RATE_LIMIT: positiveInt.max(100_000).default(5),
  /** Registration rate-limit window, in seconds. @defaultValue 3600 */
  REGISTER_RATE_WINDOW_S: positiveInt.max(86400).default(3600),
  /** How long a process trusts its cached copy of a user's token version, in ms (a revoked token dies within it). @defaultValue 2000 */
  TOKEN_VERSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** Address the payment simulator binds to (a development tool: loopback unless asked). @defaultValue 127.0.0.1 */
  PAYMENT_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer token the payment simulator's control endpoints (`/v1/sim/*`) require; unset = they are refused. */
  PAYMENT_SIM_CONTROL_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The only URL the payment simulator calls back (the ingress callback route). @defaultValue `<PUBLIC_BASE_URL>/v1/payments/callback` */
  PAYMENT_SIM_WEBHOOK_URL: z.url().optional(),
  /**
   * File the payment simulator journals every charge, refund and outcome to before it answers, so a
   * crash (`kill -9`) loses nothing it accepted, as with a real provider; unset = memory only.
   */
  PAYMENT_SIM_JOURNAL: z.string().min(1).optional(),
});

/**
 * Secrets that have a development default: with `NODE_ENV=production` each must be set to something
 * else, or the process refuses to start (exit 78) naming every one left at its default.
 */
export const SECRET_SETTINGS = ['JWT_SECRET', 'PAYMENT_WEBHOOK_SECRET', 'TICKET_SIGNING_SEED'] as const;
const SECRET_DEFAULTS: Record<(typeof SECRET_SETTINGS)[number], unknown> = Object.fromEntries(
  SECRET_SETTINGS.map((name) => [name, schema.shape[name].parse(undefined)]),
) as Record<(typeof SECRET_SETTINGS)[number], unknown>;

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates configuration. Throws a {@link ConfigError} that names each bad variable.
 * @example
 * const config = loadConfig({ ...process.env, PARTITIONS: '4' });
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])])})`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.NODE_ENV === 'production') {
    const defaulted = SECRET_SETTINGS.filter((name) => parsed.data[name] === SECRET_DEFAULTS[name]);
    if (defaulted.length) {
      throw new ConfigError(
        `Refusing to start in production with default secrets:\n${defaulted.map((n) => `  ${n}: still the development default; set a secret value`).join('\n')}`,
      );
    }
  }
  return Object.freeze(parsed.data);
}

/** Loads configuration for a process entry point, exiting with a clear message on a bad value. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
