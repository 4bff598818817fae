import type { Channel, ConsumeMessage, Options } from 'amqplib';
import type { z } from 'zod';

/** The part of an amqplib channel `subscribe` uses. */
export type SubscribeChannel = Pick<Channel, 'consume'>;

/**
 * Called with every message that parsed: its value, typed by the schema, and the raw delivery (to
 * ack or nack it; with `noAck` there is nothing to do).
 */
export type MessageHandler<T> = (value: T, msg: ConsumeMessage) => void;

/**
 * Called with every message that did not: the raw delivery and why (`body is not JSON` or
 * `invalid <label>: <path>: <problem>; …`). The consumer decides: dead-letter it, ignore it, or read
 * what it can from the raw body.
 */
export type InvalidHandler = (msg: ConsumeMessage, reason: string) => void;

export interface SubscribeOptions extends Options.Consume {
  /** Names the message kind in the reason given to `onInvalid`. @defaultValue 'message' */
  label?: string;
  /** The broker cancelled the subscription (its queue was deleted, or a cluster node holding it left). */
  onCancelled?: () => void;
}

/**
 * The one way a consumer reads a queue (in the spirit of rascal's subscription): each delivery's body
 * is parsed as JSON and validated with `schema`, then handed to `handler` typed as the schema's
 * output, or to `onInvalid` with the reason. No consumer casts a message body.
 *
 * @example
 * await subscribe(channel, names.payments, paymentRequestSchema,
 *   (req, msg) => void stage.handle(req, msg),
 *   (msg, reason) => { log.error('malformed payment request', { reason }); channel.nack(msg, false, false); });
 * @returns the consumer tag (to cancel the subscription)
 */
export async function subscribe<S extends z.ZodType>(
  channel: SubscribeChannel,
  queue: string,
  schema: S,
  handler: MessageHandler<z.output<S>>,
  onInvalid: InvalidHandler,
  options: SubscribeOptions = {},
): Promise<string> {
  const { label = 'message', onCancelled, ...consume } = options;
  const { consumerTag } = await channel.consume(
    queue,
    (msg) => {
      if (!msg) {
        onCancelled?.(); // consumer cancelled by the broker
        return;
      }
      const parsed = parseMessage(msg, schema, label);
      if (parsed.ok) handler(parsed.value, msg);
      else onInvalid(msg, parsed.reason);
    },
    consume,
  );
  return consumerTag;
}

/** Parses one delivery's body with a schema (what `subscribe` does for each message). */
export function parseMessage<S extends z.ZodType>(
  msg: Pick<ConsumeMessage, 'content'>,
  schema: S,
  label = 'message',
): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(msg.content.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    reason: `invalid ${label}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  };
}
