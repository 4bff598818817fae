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
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/onsale'),
  /** @defaultValue `amqp://guest:guest@127.0.0.1:5672` */
  AMQP_URL: z.string().url().default('amqp://guest:guest@127.0.0.1:5672'),
  /** @defaultValue `redis://127.0.0.1:6379` */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Ingress HTTP port. @defaultValue 3000 */
  PORT: port.default(3000),
  /** Notifier Socket.IO port. @defaultValue 3001 */
  NOTIFIER_PORT: port.default(3001),
  /** Worker health/metrics port (0 picks a free one). @defaultValue 3002 */
  WORKER_PORT: port.default(3002),
  /** HS256 secret for bearer tokens. Must be changed in production. */
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').default('onsale-dev-secret-change-me'),
  /** Number of booking partitions (queues bookings.p0 … p{N-1}). @defaultValue 8 */
  PARTITIONS: z.coerce.number().int().min(1).max(1024).default(8),
  /** Prefix for every exchange and queue name (test isolation, several installs on one broker). */
  AMQP_PREFIX: z.string().regex(/^[a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - only').default(''),
  /** Prefix for every Redis key. @defaultValue `onsale:` */
  REDIS_PREFIX: z.string().default('onsale:'),
  /** Unacked messages a worker takes per partition. @defaultValue 500 */
  WORKER_PREFETCH: positiveInt.max(65535).default(500),
  /** Largest batch decided and committed in one transaction. @defaultValue 500 */
  WORKER_BATCH_MAX: positiveInt.default(500),
  /** Deliveries after which a message is dead-lettered (quorum x-delivery-limit). @defaultValue 5 */
  DELIVERY_LIMIT: positiveInt.default(5),
  /** How often each worker sends a liveness tick into every partition, in ms. @defaultValue 1000 */
  TICK_MS: positiveInt.default(1000),
  /** Seats or units one request may ask for, across all events. @defaultValue 10 */
  MAX_PER_REQUEST: positiveInt.max(1000).default(10),
  /** Largest accepted JSON body. @defaultValue `64kb` */
  BODY_LIMIT: z.string().default('64kb'),
  /** Publishes awaiting a broker confirm before ingress answers 503 (backpressure). @defaultValue 5000 */
  PUBLISH_MAX_IN_FLIGHT: positiveInt.default(5000),
  /** How long a graceful shutdown may take before it is forced, in ms. @defaultValue 10000 */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
});

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
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
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
