import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../shared/config';
import { buildTopology, type Topology } from '../shared/amqp/topology';

/**
 * Writes `rabbitmq/definitions.json` (the broker definitions docker compose loads) from the same
 * topology data the code asserts at start-up, for the default prefix and partition count.
 * @example npm run rabbitmq:definitions
 */
export function definitionsOf(t: Topology) {
  return {
    rabbit_version: '3.13.0',
    users: [
      {
        name: 'guest',
        password_hash: 'BMfxN8drrYcIqXZMr+pWTpDT0nMcOagMduLX0bjr4jd9DUTy',
        hashing_algorithm: 'rabbit_password_hashing_sha256',
        tags: ['administrator'],
      },
    ],
    vhosts: [{ name: '/' }],
    permissions: [{ user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
    policies: [],
    queues: t.queues.map((q) => ({
      name: q.name,
      vhost: '/',
      durable: q.durable,
      auto_delete: false,
      arguments: q.arguments,
    })),
    exchanges: t.exchanges.map((e) => ({
      name: e.name,
      vhost: '/',
      type: e.type,
      durable: e.durable,
      auto_delete: false,
      internal: false,
      arguments: {},
    })),
    bindings: t.bindings.map((b) => ({
      source: b.exchange,
      vhost: '/',
      destination: b.queue,
      destination_type: 'queue',
      routing_key: b.routingKey,
      arguments: {},
    })),
  };
}

export const DEFINITIONS_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'rabbitmq',
  'definitions.json',
);

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const json = `${JSON.stringify(definitionsOf(buildTopology(loadConfig({}))), null, 2)}\n`;
  if (process.argv.includes('--write')) writeFileSync(DEFINITIONS_PATH, json);
  else process.stdout.write(json);
}
