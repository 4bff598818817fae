import { startPrivateServices } from './index';

/**
 * `npm run private-services [-- --cluster]`: starts private PostgreSQL, Redis and RabbitMQ (one node,
 * or three clustered), prints their URLs, and tears everything down on Ctrl-C / SIGTERM.
 * `--check` starts them, prints, and tears down at once (a smoke test).
 */
const args = process.argv.slice(2);
const services = await startPrivateServices({ rabbitNodes: args.includes('--cluster') ? 3 : 1 });
let done = false;
const stop = async () => {
  if (done) return;
  done = true;
  await services.destroy();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
const rabbitUrls = services.cluster ? services.cluster.nodes.map((n) => `${n.nodename} ${n.url}`) : [services.amqpUrl];
process.stdout.write(
  [
    `DATABASE_URL=${services.postgres.url('postgres')}`,
    `REDIS_URL=${services.redis.url}`,
    `AMQP_URL=${services.amqpUrl}`,
    ...rabbitUrls.map((u) => `# rabbitmq ${u}`),
  ].join('\n') + '\n',
);
if (services.cluster) process.stdout.write(`# running nodes: ${(await services.cluster.runningNodes()).join(', ')}\n`);
if (args.includes('--check')) await stop();
else process.stdout.write('Ctrl-C stops and removes them.\n');
