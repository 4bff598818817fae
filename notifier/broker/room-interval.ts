/**
 * How long an event's room waits between two updates: every update is one socket write per socket in
 * the room, so a room of `roomSize` local sockets may be sent `writesPerS / roomSize` updates a second,
 * and never more than one per `minMs`. A crowd watching then costs the notifier a bounded number of
 * writes a second however big it grows; the updates of a big room come less often instead.
 *
 * @example roomIntervalMs(10_000, 1000, 5000) // 2000: a 10,000-watcher room is updated every 2 s
 */
export function roomIntervalMs(roomSize: number, minMs: number, writesPerS: number): number {
  return Math.max(minMs, Math.ceil((roomSize * 1000) / writesPerS));
}
