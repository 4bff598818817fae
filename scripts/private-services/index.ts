/**
 * Private PostgreSQL, Redis and RabbitMQ instances for destructive tests: each on free ports of its
 * own, in a temp directory, never touching the machine's shared services (5432 / 6379 / 5672) or
 * their data. Every class has `destroy()`; {@link PrivateServices} tears down all it started.
 */
export { PrivatePostgres } from './postgres';
export { PrivateRedis } from './redis';
export { PrivateRabbit, PrivateRabbitCluster, PrivateRabbitNode } from './rabbitmq';
export { freePort } from './process';

import { PrivatePostgres } from './postgres';
import { PrivateRedis } from './redis';
import { PrivateRabbit, PrivateRabbitCluster } from './rabbitmq';

export interface PrivateServices {
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  rabbit?: PrivateRabbit;
  cluster?: PrivateRabbitCluster;
  /** The AMQP URL roles should use (the single node, or the cluster's first node). */
  amqpUrl: string;
  destroy(): Promise<void>;
}

/**
 * Starts PostgreSQL, Redis and either one RabbitMQ node or a cluster of `rabbitNodes` nodes. On a
 * failure part-way, whatever already started is torn down before the error is thrown.
 */
export async function startPrivateServices(opts: { rabbitNodes?: number } = {}): Promise<PrivateServices> {
  const started: Array<{ destroy(): Promise<void> }> = [];
  const destroy = async () => {
    for (const s of started.reverse())
      await s.destroy().catch((err: unknown) => process.stderr.write(`teardown: ${(err as Error).message}\n`));
    started.length = 0;
  };
  try {
    const postgres = await PrivatePostgres.create();
    started.push(postgres);
    const redis = await PrivateRedis.create();
    started.push(redis);
    if ((opts.rabbitNodes ?? 1) > 1) {
      const cluster = await PrivateRabbitCluster.create(opts.rabbitNodes);
      started.push(cluster);
      return { postgres, redis, cluster, amqpUrl: cluster.nodes[0]!.url, destroy };
    }
    const rabbit = await PrivateRabbit.create();
    started.push(rabbit);
    return { postgres, redis, rabbit, amqpUrl: rabbit.url, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}
