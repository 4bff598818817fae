import pg from 'pg';

// bigint (int8) columns such as `seq` and `epoch` fit in a JS number for any realistic on-sale.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Creates a PostgreSQL pool. Errors on idle clients are logged by the caller, never thrown. */
export function createPool(connectionString: string, max = 10, applicationName = 'onsale'): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {
    // An idle client lost its connection; the next checkout reconnects. Swallowing keeps the process alive.
  });
  return pool;
}

/** Runs `fn` in a transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
