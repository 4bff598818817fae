import type { Channel } from 'amqplib';
import type { z } from 'zod';
import { subscribe } from '../../shared/amqp/subscribe';
import type { Logger } from '../../shared/logger';

/**
 * Reads `queue` through the shared `subscribe` path with one of the shared message schemas
 * (`shared/contracts/messages.ts`). These are notifications: a message that does not parse is logged
 * and dropped (or handed to `salvage`, which may read what it can from it), nothing is lost that the
 * database does not hold, so every delivery is acknowledged after its handler ran, and a handler that
 * throws is logged rather than allowed to break the channel.
 *
 * @returns the consumer tag
 */
export function consumeNotifications<S extends z.ZodType>(
  ch: Channel,
  queue: string,
  schema: S,
  label: string,
  logger: Logger,
  handle: (message: z.output<S>) => void,
  salvage?: (raw: unknown) => void,
): Promise<string> {
  const guarded = (what: () => void) => {
    try {
      what();
    } catch (err) {
      logger.error(`${label} handler failed`, { queue, err: (err as Error).message });
    }
  };
  return subscribe(
    ch,
    queue,
    schema,
    (message, msg) => {
      guarded(() => handle(message));
      ch.ack(msg);
    },
    (msg, reason) => {
      logger.warn(`${label} dropped`, { queue, reason: reason.slice(0, 500) });
      if (salvage) guarded(() => salvage(readJson(msg.content)));
      ch.ack(msg);
    },
    { label },
  );
}

function readJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}
