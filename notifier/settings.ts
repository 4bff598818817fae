import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

/**
 * The notifier's own limits, read from the environment once at start-up (the shared config holds what
 * several roles read). A bad value fails fast naming the variable.
 */
const schema = z.object({
  /** Bookings one socket may watch at once; more are refused with `too_many_watches`. @defaultValue 20 */
  NOTIFIER_MAX_BOOKING_WATCHES: positiveInt.max(10_000).default(20),
  /** Events one socket may watch at once; more are refused with `too_many_watches`. @defaultValue 10 */
  NOTIFIER_MAX_EVENT_WATCHES: positiveInt.max(10_000).default(10),
  /** Sockets one account may have open on one notifier instance; more are refused with `too_many_sockets`. @defaultValue 10 */
  NOTIFIER_MAX_SOCKETS_PER_USER: positiveInt.max(10_000).default(10),
  /** Events (watch, unwatch, …) one socket may send per second; more are answered `rate_limited`. @defaultValue 20 */
  NOTIFIER_EVENTS_PER_SECOND: positiveInt.max(100_000).default(20),
  /** How often an event's progress is sent to the sockets waiting on one of its bookings, at most (one message per tick). @defaultValue 200 */
  NOTIFIER_COALESCE_MS: positiveInt.min(10).max(5_000).default(200),
  /**
   * How often, at most, an event's room (everyone with the event open, e.g. its seat map) is sent what
   * changed: one `event.update` per tick with its seat changes and progress, only when something did.
   * A big room's clock is slower still (NOTIFIER_ROOM_WRITES_PER_S). Sockets waiting on a booking get
   * progress every NOTIFIER_COALESCE_MS. @defaultValue 1000
   */
  NOTIFIER_EVENT_ROOM_MS: positiveInt.min(10).max(10_000).default(1000),
  /**
   * Socket writes per second an event room may cost this notifier: each update is one write (a system
   * call, 20–50 µs) per socket in the room, so a room of `n` local sockets is updated every
   * `max(NOTIFIER_EVENT_ROOM_MS, n / NOTIFIER_ROOM_WRITES_PER_S s)`, its size read at each tick. With
   * the default a 10,000-watcher room is updated every 2 s, and its writes cost the notifier a tenth
   * to a quarter of a core whatever the crowd. Results and the waiting sockets' progress are never slowed.
   * @defaultValue 5000
   */
  NOTIFIER_ROOM_WRITES_PER_S: positiveInt.min(100).max(10_000_000).default(5000),
  /**
   * An event room with more sockets on this notifier than this is sent its update slice by slice (16
   * slices, one per event-loop turn), so a result published meanwhile is pushed between two slices
   * instead of waiting behind the whole room's writes. @defaultValue 1000
   */
  NOTIFIER_ROOM_SLICE_ABOVE: positiveInt.max(10_000_000).default(1000),
  /**
   * How often the notifier looks for sockets whose token was revoked (logout, password or role
   * change) and disconnects them: one Redis MGET per 500 accounts with open sockets. @defaultValue 2000
   */
  NOTIFIER_REVOCATION_SWEEP_MS: positiveInt.min(100).max(60_000).default(2000),
  /** Recent outcomes kept in memory to answer watches without PostgreSQL (and through its outages). @defaultValue 50000 */
  NOTIFIER_RECENT_RESULTS: positiveInt.max(10_000_000).default(50_000),
  /**
   * How long a recent outcome is kept (a watch later than that asks PostgreSQL). Without an age limit
   * the cache only ever filled up to its size, so a notifier's memory grew for as long as that took
   * (14 minutes at 60 outcomes a second). @defaultValue 120000
   */
  NOTIFIER_RECENT_RESULTS_TTL_MS: positiveInt.max(86_400_000).default(120_000),
});

export type NotifierSettings = Readonly<z.infer<typeof schema>>;

/** Reads the notifier's limits from `env`, with `overrides` (tests) on top. Throws naming each bad variable. */
export function loadNotifierSettings(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<NotifierSettings> = {},
): NotifierSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid notifier setting: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return Object.freeze({ ...parsed.data, ...overrides });
}
