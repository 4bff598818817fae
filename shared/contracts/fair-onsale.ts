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

/** `POST /v1/events/{id}/presales`: codes and/or invited accounts, in a window before the on-sale time. */
export const createPresaleSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    starts_at: z.iso.datetime({ offset: true }),
    ends_at: z.iso.datetime({ offset: true }),
    codes: z
      .object({ count: z.number().int().min(1).max(10_000), uses_per_code: z.number().int().min(1).max(1_000_000) })
      .strict()
      .optional(),
    allowed_emails: z.array(z.string().trim().toLowerCase().email().max(254)).min(1).max(10_000).optional(),
    max_per_user: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((b) => b.codes !== undefined || b.allowed_emails !== undefined, {
    message: 'give codes and/or allowed_emails',
    path: ['codes'],
  });
export type CreatePresaleBody = z.infer<typeof createPresaleSchema>;

/** A presale code as a buyer types it (`POST /v1/bookings` `presale_code`). */
export const presaleCodeSchema = z.string().min(1).max(64);

/** `POST /v1/events/{id}/waitlist`: what the user waits for (prices in currency units). */
export const waitlistBodySchema = z
  .object({
    quantity: z.number().int().min(1).max(1000),
    section: z.string().min(1).max(40).optional(),
    price_tier: z.string().min(1).max(40).optional(),
    max_price: z.number().nonnegative().max(1_000_000).optional(),
  })
  .strict();
