import amqp from 'amqplib';

export type AmqpConnection = Awaited<ReturnType<typeof amqp.connect>>;

/** Connects to RabbitMQ, naming the service and how to start it when it does not answer. */
export async function connectAmqp(url: string, connectionName: string): Promise<AmqpConnection> {
  try {
    // Nagle's algorithm would hold small publishes and confirms back for tens of milliseconds.
    return await amqp.connect(url, { noDelay: true, clientProperties: { connection_name: connectionName } });
  } catch (err) {
    throw new ServiceUnavailableError(
      'RabbitMQ',
      url,
      err,
      'rabbitmq-server -detached   (or: docker compose up rabbitmq)',
    );
  }
}

/** A backing service did not answer at start-up. The message says which one and how to start it. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  constructor(service: string, url: string, cause: unknown, howToStart: string) {
    super(
      `${service} is not reachable at ${redact(url)} (${cause instanceof Error ? cause.message : String(cause)}). Start it with: ${howToStart}`,
    );
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}
