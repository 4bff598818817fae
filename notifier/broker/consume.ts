import type { Channel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import type { Logger } from '../../shared/logger';

/** A handler for one message type: its schema and what to do with a message that fits it. */
export interface MessageHandler<S extends z.ZodType = z.ZodType> {
  schema: S;
  handle(message: z.infer<S>): void;
}

/** Builds a table entry with the handler typed from its schema. */
export function on<S extends z.ZodType>(schema: S, handle: (message: z.infer<S>) => void): MessageHandler<S> {
  return { schema, handle };
}

/**
 * Consumes `queue`, picking the handler by the message's `type` property (or `fallback` when the queue
 * carries one kind only). A message that is not JSON, has no handler or does not fit its schema is
 * logged and dropped (these are notifications: nothing is lost that the database does not hold).
 * Every message is acknowledged after its handler ran.
 */
export async function consumeParsed(ch: Channel, queue: string, handlers: Record<string, MessageHandler>, logger: Logger, fallback?: string): Promise<string> {
  const { consumerTag } = await ch.consume(queue, (msg: ConsumeMessage | null) => {
    if (!msg) return;
    const type = typeof msg.properties.type === 'string' && msg.properties.type in handlers ? msg.properties.type : fallback;
    try {
      const handler = type ? handlers[type] : undefined;
      if (!handler) {
        logger.warn('booking event of unknown type dropped', { queue, type: msg.properties.type });
      } else {
        const parsed = handler.schema.safeParse(JSON.parse(msg.content.toString()));
        if (parsed.success) handler.handle(parsed.data);
        else logger.warn('invalid booking event dropped', { queue, type, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
      }
    } catch (err) {
      logger.warn('unreadable booking event dropped', { queue, type, err: (err as Error).message });
    }
    ch.ack(msg);
  });
  return consumerTag;
}
