import { z } from 'zod';

/** How an event's waiting room is ordered at the on-sale time. */
export const QUEUE_MODES = ['draw', 'fifo'] as const;
export type QueueMode = (typeof QUEUE_MODES)[number];
/** The most proof-of-work bits an event may ask for (at 26, minutes of a phone's time). */
export const MAX_POW_BITS = 26;

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
    allowed_emails: z
      .array(z.string().trim().toLowerCase().pipe(z.email().max(254)))
      .min(1)
      .max(10_000)
      .optional(),
    max_per_user: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((b) => b.codes !== undefined || b.allowed_emails !== undefined, {
    error: 'give codes and/or allowed_emails',
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

// ---------- answers (documented through the route table) ----------

export const challengeSchema = z.object({
  challenge: z.string(),
  bits: z.number().int().min(0).max(26),
  expires_at: z.string(),
});
export const queueModeAcceptedSchema = z.object({
  event_id: z.uuid(),
  queue_mode: z.enum(QUEUE_MODES),
  change: z.literal('queued'),
});
export const drawRecordSchema = z.object({
  event_id: z.uuid(),
  queue_mode: z.enum(QUEUE_MODES),
  draw_at: z.string(),
  state: z.enum(['pending', 'drawn', 'not_drawn_fifo']),
  waiting_room: z.number().int().describe('Requests queued from before the on-sale time, not decided yet.'),
  waitlist: z
    .object({
      waiting: z.number().int().describe('Entries still waiting for released inventory.'),
      offers: z.number().int().describe('Offers made (entries given a hold).'),
      offers_active: z.number().int().describe('Offers whose hold is still open (held or payment pending).'),
      offers_taken: z.number().int().describe('Offers paid for (confirmed).'),
      offers_lapsed: z.number().int().describe('Offers whose hold expired or was cancelled.'),
      left: z.number().int().describe('Entries the user withdrew.'),
    })
    .describe('The waitlist (read from PostgreSQL).'),
  presales: z
    .object({
      windows: z.number().int(),
      holds: z.number().int().describe('Bookings made through a presale.'),
    })
    .describe('Presale use.'),
  drawn_at: z.string().optional(),
  entries: z.number().int().optional(),
  audit: z
    .object({
      algorithm: z.string(),
      seed: z.string(),
      input_digest: z.string(),
      order_digest: z.string(),
      worker_id: z.string().nullable(),
      epoch: z.number().int().nullable(),
      how_to_verify: z.string(),
    })
    .optional(),
});
export const presaleCreatedSchema = z.object({
  presale_id: z.uuid(),
  event_id: z.uuid(),
  name: z.string(),
  starts_at: z.string(),
  ends_at: z.string(),
  max_per_user: z.number().int().nullable(),
  codes: z.array(z.string()).optional().describe('Shown this once; stored hashed.'),
  uses_per_code: z.number().int().optional(),
  allowed_emails: z.number().int(),
});
export const presaleListSchema = z.object({
  event_id: z.uuid(),
  presales: z.array(
    z.object({
      presale_id: z.uuid(),
      name: z.string(),
      starts_at: z.string(),
      ends_at: z.string(),
      open: z.boolean(),
      max_per_user: z.number().int().nullable(),
      codes: z.number().int(),
      uses_allowed: z.number().int(),
      allowed_emails: z.number().int(),
      holds_granted: z.number().int(),
    }),
  ),
});
export const waitlistJoinedSchema = z.object({
  waitlist_id: z.uuid(),
  event_id: z.uuid(),
  position: z.number().int().min(1),
  status: z.literal('waiting'),
});
export const waitlistLeftSchema = z.object({
  waitlist_id: z.uuid(),
  event_id: z.uuid(),
  status: z.literal('left'),
});
export const myWaitlistSchema = z.object({
  items: z.array(
    z.object({
      waitlist_id: z.uuid(),
      event_id: z.uuid(),
      quantity: z.number().int(),
      section: z.string().nullable(),
      price_tier: z.string().nullable(),
      max_price_cents: z.number().int().nullable(),
      status: z.enum(['waiting', 'offered', 'left']),
      position: z.number().int().nullable(),
      offer_booking_id: z.uuid().nullable(),
      joined_at: z.string(),
    }),
  ),
});
