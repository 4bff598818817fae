import { z } from 'zod';
import { QUEUE_MODES } from './events';

/** HTTP bodies of the fair on-sale (issue 12): queue mode, proof of work. Validated at the edge. */

export const queueModeBodySchema = z.object({ queue_mode: z.enum(QUEUE_MODES) }).strict();

/** A solved challenge: SHA-256 of `challenge + ":" + nonce` starts with the event's `pow_bits` zero bits. */
export const proofSchema = z
  .object({
    challenge: z.string().min(1).max(512),
    nonce: z.string().min(1).max(64),
  })
  .strict();
export type Proof = z.infer<typeof proofSchema>;
