import { describe, expect, it } from 'vitest';
import { connectAmqp } from '../../shared/amqp/connect';
import { assertTopology, buildTopology, names } from '../../shared/amqp/topology';
import { loadConfig } from '../../shared/config';
import { createEvents, runFault } from './support/fault-run';
import { expectInvariants, faultSuite } from './support/suite';

/**
 * A three-node RabbitMQ cluster: the partition queues are quorum queues with a replica on every node.
 * The roles talk to node 1; the queues were declared through node 2, so node 2 leads them. Stopping
 * node 2 mid-load elects a new leader and the active consumer carries on there.
 */
describe('faults: three-node RabbitMQ cluster', () => {
  const ctx = faultSuite({
    rabbitNodes: 3,
    amqpUrl: (s) => s.cluster!.nodes[0]!.url,
    prepare: async (s, env) => {
      // Quorum queues are led, by default, by the node of the connection that declares them.
      const conn = await connectAmqp(s.cluster!.nodes[1]!.url, 'faults-prepare');
      const ch = await conn.createChannel();
      await assertTopology(ch, buildTopology(loadConfig(env)));
      await conn.close();
    },
  });

  it('stop the node leading a busy partition: 0 lost, 0 doubled, the consumer continues on the new leader', async () => {
    const cluster = ctx.stack.services.cluster!;
    const events = await createEvents(ctx.stack, 'cluster');
    const { rows } = await ctx.pool.query<{ partition: number }>('SELECT partition FROM events WHERE id = $1', [
      events[0],
    ]);
    const queue = names('').partitionQueue(rows[0]!.partition);
    const before = await cluster.queueInfo(queue);
    expect(before?.members, 'replicated on all three nodes').toHaveLength(3);
    const leader = cluster.nodes.find((n) => n.nodename === before!.leader)!;
    expect(leader, 'the busy partition is led by node 2, not the node the roles use').toBe(cluster.nodes[1]);

    const r = await runFault({
      name: 'cluster: stop the leader of a busy partition',
      ...ctx,
      events,
      inject: () => leader.stop(),
    });
    expectInvariants(r);
    const after = await cluster.queueInfo(queue);
    expect(after?.leader, 'a new leader was elected').not.toBe(leader.nodename);
    expect(r.restarts['worker-a']! + r.restarts['worker-b']!, 'the consumer carried on without a restart').toBe(0);
  });
});
