import pg from 'pg';

// bigint (int8) columns such as `seq` and `epoch` fit in a JS number for any realistic on-sale.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Row type of a statement that returns no rows (INSERT / UPDATE / DELETE without RETURNING): `rows` is typed empty. */
export type NoRows = Record<string, never>;

/** Told about a connection PostgreSQL dropped (fast shutdown `57P01`, crash, network); never thrown. */
export type PoolErrorHandler = (err: Error & { code?: string }) => void;

/** Clients that emitted `'error'` while checked out: released with the error, so the pool discards them. */
const broken = new WeakSet<pg.PoolClient | pg.Client>();

/**
 * Creates a PostgreSQL pool whose connection errors never crash the process.
 *
 * pg emits `'error'` on a client whose backend goes away (PostgreSQL's fast shutdown terminates every
 * session with `57P01`): the pool listens only while a client is idle, so an error on a checked-out
 * client between two queries used to be unhandled and killed the process. Every client gets a
 * listener when it is created; the query in flight (if any) still rejects with the error, which the
 * caller retries (`isRetryable`), and the broken client is discarded on release.
 */
export function createPool(
  connectionString: string,
  max = 10,
  applicationName = 'onsale',
  onError: PoolErrorHandler = () => undefined,
): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName, connectionTimeoutMillis: 5000 });
  // An idle client lost its connection: the pool already removed it and the next checkout reconnects.
  pool.on('error', (err) => onError(err));
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      broken.add(client);
      onError(err);
    });
  });
  return pool;
}

/** Runs `fn` in a transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failure = err as Error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // A client whose connection failed must not go back to the pool (the next user would get its error).
    client.release(
      broken.has(client) || isConnectionError(failure) ? (failure ?? new Error('connection lost')) : undefined,
    );
  }
}

function isConnectionError(err: Error | undefined): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return (
    code !== undefined && (code.startsWith('57P') || code.startsWith('08') || code === 'ECONNRESET' || code === 'EPIPE')
  );
}
