/**
 * Every Redis key Onsale uses, built from REDIS_PREFIX. Nothing on the booking path is a lock:
 * Redis holds sequence numbers, read snapshots, idempotency answers and stats.
 */
export function redisKeys(prefix: string) {
  return {
    prefix,
    /** INCR: per-event sequence numbers stamped by ingress. */
    eventSeq: (eventId: string) => `${prefix}event:${eventId}:seq`,
    /** Highest sequence number decided, written by the worker after each commit. */
    eventWatermark: (eventId: string) => `${prefix}event:${eventId}:watermark`,
    /** Hash: status, watermark, rate, paused, throttle; written by the worker. */
    eventProgress: (eventId: string) => `${prefix}event:${eventId}:progress`,
    /** Seat-map snapshot: static layout JSON, written once when inventory is created. */
    seatLayout: (eventId: string) => `${prefix}event:${eventId}:layout`,
    /** Seat-map snapshot: one status character per seat in rank order ('a', 'h', 's'), plus `as_of`. */
    /** Changes whenever the layout is rewritten (new prices): readers cache the parsed layout by it. */
    seatLayoutVersion: (eventId: string) => `${prefix}event:${eventId}:layout-version`,
    seatStatus: (eventId: string) => `${prefix}event:${eventId}:seat-status`,
    seatAsOf: (eventId: string) => `${prefix}event:${eventId}:seat-as-of`,
    /** General admission: units left. */
    gaAvailable: (eventId: string) => `${prefix}event:${eventId}:ga-available`,
    /** Cache-aside copy of the event page. */
    eventCache: (eventId: string) => `${prefix}event:${eventId}:cache`,
    /** Availability counts of an event (JSON), derived by ingress from the seat snapshot and kept a few seconds, for search hits. */
    availabilitySummary: (eventId: string) => `${prefix}event:${eventId}:availability`,
    /** A search answer (JSON) for one normalized query, kept SEARCH_CACHE_TTL_S seconds. */
    searchCache: (queryHash: string) => `${prefix}search:${queryHash}`,
    /** Hash: a queued request as ingress accepted it (event, user, seq) until the worker decides it. */
    pendingBooking: (bookingId: string) => `${prefix}booking:${bookingId}:pending`,
    /** The first answer given for an Idempotency-Key of one user. */
    idempotency: (userId: string, key: string) => `${prefix}idem:${userId}:${key}`,
    /** A used proof-of-work challenge (single use), until the challenge expires. */
    usedProof: (challengeMac: string) => `${prefix}pow:used:${challengeMac}`,
    /** Marks a (booking, status) pair as pushed, so redelivered results are not pushed twice. */
    announced: (bookingId: string, status: string) => `${prefix}announced:${bookingId}:${status}`,
    /** Hash per partition: owner, epoch, rate, last batch; written by the active worker. */
    partitionStats: (partition: number) => `${prefix}partition:${partition}:stats`,
    /** Hash: worker id → JSON `{ state, at }` of that worker's payment-provider circuit breaker. */
    paymentBreaker: `${prefix}payments:breaker`,
    /** Hash: notifier instance id → JSON `{ sockets, at }`, refreshed every few seconds, for the operations console. */
    notifierSockets: `${prefix}notifier:sockets`,
    /** Socket.IO Redis adapter channel prefix. */
    socketIo: `${prefix}socket.io`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
