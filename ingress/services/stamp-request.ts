import type { Redis } from 'ioredis';

/**
 * Stamps a booking request in one Redis round trip (a Lua script, atomic): the event's next sequence
 * number, the event's processed watermark (for the queue position answered with the 202), and the
 * pending record that lets `GET /v1/bookings/{id}` show the request before the worker decides it (with
 * `draw: '1'` when it waits for its waiting room's draw, so it shows no number of its own yet).
 *
 * When the event's counter is missing (Redis restarted empty, or the key was lost) and no `seed` is
 * given, it stamps nothing and answers `seq = -1`: the caller then computes a seed from PostgreSQL and
 * the queue (see seed-sequence.ts) and calls again, so a sequence number is never reused.
 */
const SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[5] == '' then return {-1, 0} end
  redis.call('SET', KEYS[1], ARGV[5], 'NX')
  redis.call('SET', KEYS[2], ARGV[6], 'NX')
end
local seq = redis.call('INCR', KEYS[1])
local wm = redis.call('GET', KEYS[2])
redis.call('HSET', KEYS[3], 'event_id', ARGV[1], 'user_id', ARGV[2], 'requested_at', ARGV[3], 'seq', seq)
if ARGV[7] == '1' then redis.call('HSET', KEYS[3], 'draw', '1') end
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[4]))
return {seq, tonumber(wm or '0')}
`;

type WithStamp = Redis & {
  onsaleStampRequest(
    seqKey: string,
    watermarkKey: string,
    pendingKey: string,
    eventId: string,
    userId: string,
    requestedAt: string,
    ttl: number,
    seed: string,
    watermarkSeed: string,
    waitsForDraw: string,
  ): Promise<[number, number]>;
};

export interface StampInput {
  seqKey: string;
  watermarkKey: string;
  pendingKey: string;
  eventId: string;
  userId: string;
  requestedAt: string;
  ttlSeconds: number;
  /** Where to start a missing counter (and watermark); absent: answer `seq = -1` instead of stamping. */
  seed?: { seq: number; watermark: number };
  /** The request waits for the draw of its event's waiting room: its pending record says so (`draw: '1'`). */
  waitsForDraw?: boolean;
}

/** Returns `[seq, watermark]`, or `[-1, 0]` when the counter is missing and no seed was given. ioredis sends the script by SHA after the first call (EVALSHA). */
export async function stampRequest(redis: Redis, s: StampInput): Promise<[number, number]> {
  const r = redis as WithStamp;
  if (typeof r.onsaleStampRequest !== 'function')
    redis.defineCommand('onsaleStampRequest', { numberOfKeys: 3, lua: SCRIPT });
  const [seq, watermark] = await r.onsaleStampRequest(
    s.seqKey,
    s.watermarkKey,
    s.pendingKey,
    s.eventId,
    s.userId,
    s.requestedAt,
    s.ttlSeconds,
    s.seed ? String(s.seed.seq) : '',
    s.seed ? String(s.seed.watermark) : '',
    s.waitsForDraw ? '1' : '',
  );
  return [seq, watermark];
}
