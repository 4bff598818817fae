import type { NotifierServer, NotifierSocket } from './context';
import type { EventUpdatePush } from '../shared/contracts/socket';

/** The room of an event's watchers (seat map and progress). */
export const eventRoom = (eventId: string) => `event:${eventId}`;

/**
 * An event room is also cut into this many slices: each watcher is in the room and in one slice. A
 * big room's update is written slice by slice, one slice per event-loop turn, so a result published
 * meanwhile is pushed between two slices instead of waiting behind the whole room's writes (20,000
 * writes take the notifier about half a second).
 */
export const EVENT_ROOM_SLICES = 16;
/** Rooms up to this many local sockets get their update in one go (a few milliseconds of writes). */
export const SLICE_ABOVE = 1_000;

const sliceRoom = (eventId: string, k: number) => `slice:${eventId}:${k}`;
let nextSlice = 0;

/** Joins the event's room and one of its slices (in turn, so the slices stay even). */
export function joinEventRoom(socket: NotifierSocket, eventId: string): Promise<void> | void {
  nextSlice = (nextSlice + 1) % EVENT_ROOM_SLICES;
  return socket.join([eventRoom(eventId), sliceRoom(eventId, nextSlice)]);
}

/** Leaves the event's room and its slice. */
export function leaveEventRoom(socket: NotifierSocket, eventId: string): void {
  const prefix = `slice:${eventId}:`;
  for (const room of socket.rooms) if (room.startsWith(prefix)) void socket.leave(room);
  void socket.leave(eventRoom(eventId));
}

/** Local sockets in the event's room now. */
export function eventRoomSize(io: NotifierServer, eventId: string): number {
  return io.of('/').adapter.rooms.get(eventRoom(eventId))?.size ?? 0;
}

/**
 * Sends an `event.update` to the event room's sockets on this instance: in one go when the room has
 * at most `sliceAbove` of them, else slice by slice on successive event-loop turns (`setImmediate`: the
 * broker's deliveries and socket reads in between are served first). Each socket gets it once.
 */
export function emitToEventRoom(
  io: NotifierServer,
  eventId: string,
  update: EventUpdatePush,
  sliceAbove = SLICE_ABOVE,
): void {
  if (eventRoomSize(io, eventId) <= sliceAbove) {
    io.local.to(eventRoom(eventId)).emit('event.update', update);
    return;
  }
  const sendSlice = (k: number): void => {
    io.local.to(sliceRoom(eventId, k)).emit('event.update', update);
    if (k + 1 < EVENT_ROOM_SLICES) setImmediate(sendSlice, k + 1);
  };
  sendSlice(0);
}
