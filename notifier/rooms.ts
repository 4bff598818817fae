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

const sliceRoom = (eventId: string, k: number) => `slice:${eventId}:${k}`;
/** A socket's slice, from its id (random base64url: its last character is even over the slices). */
const sliceOf = (socket: NotifierSocket) => socket.id.charCodeAt(socket.id.length - 1) % EVENT_ROOM_SLICES;

/** Joins the event's room and the socket's slice of it. */
export function joinEventRoom(socket: NotifierSocket, eventId: string): Promise<void> | void {
  return socket.join([eventRoom(eventId), sliceRoom(eventId, sliceOf(socket))]);
}

/** Leaves the event's room and the socket's slice of it. */
export function leaveEventRoom(socket: NotifierSocket, eventId: string): void {
  void socket.leave(eventRoom(eventId));
  void socket.leave(sliceRoom(eventId, sliceOf(socket)));
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
  sliceAbove: number,
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
