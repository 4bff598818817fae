import pg from 'pg';
import { migrate } from '../../shared/db/migrate';
import { createPool } from '../../shared/db/pool';
import { connectAmqp, type AmqpConnection } from '../../shared/amqp/connect';
import { ConfirmPublisher } from '../../shared/amqp/publisher';
import { assertTopology, buildTopology } from '../../shared/amqp/topology';
import type { BenchIdentity } from './bench-identity';

export interface BenchEnv {
  pool: pg.Pool;
  conn: AmqpConnection;
  publisher: ConfirmPublisher;
  close(): Promise<void>;
}

/** Creates and migrates the run's database and asserts its broker topology. */
export async function createBenchEnv(b: BenchIdentity): Promise<BenchEnv> {
  const admin = new pg.Client({ connectionString: b.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${b.dbName}`);
  } finally {
    await admin.end();
  }
  await migrate(b.config.DATABASE_URL);
  const pool = createPool(b.config.DATABASE_URL, 4, 'bench');
  const conn = await connectAmqp(b.config.AMQP_URL, 'bench');
  const setup = await conn.createChannel();
  await assertTopology(setup, buildTopology(b.config));
  await setup.close();
  const publisher = await ConfirmPublisher.open(conn, b.config.AMQP_PREFIX);
  return {
    pool,
    conn,
    publisher,
    async close() {
      await publisher.close();
      await conn.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
