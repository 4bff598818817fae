import type { Redis } from 'ioredis';
import type { LRUCache } from 'lru-cache';
import type { Server, Socket } from 'socket.io';
import type { Counter } from 'prom-client';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { Pool } from '../shared/db/pool';
import type { RedisKeys } from '../shared/redis/keys';
import type {
  ClientToServerEvents,
  EventProgressPush,
  ServerToClientEvents,
  SocketData,
} from '../shared/contracts/socket';
import type { NotifierSettings } from './settings';
import type { Delivery, Watchers } from './watchers';
import type { RecentResults } from './recent-results';
import type { EventDirectory } from './event-directory';
import type { TokenVersionSource } from './socket/revocation';

export type NotifierServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type NotifierSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** What the socket handlers and broker consumers share; built once by `startNotifier`. */
export interface NotifierContext {
  config: Config;
  settings: NotifierSettings;
  logger: Logger;
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  io: NotifierServer;
  watchers: Watchers;
  recent: RecentResults;
  events: EventDirectory;
  /** The last progress seen per event: a socket that starts watching is told where the queue stands at once. */
  lastProgress: LRUCache<string, EventProgressPush>;
  pushed: Counter<'event'>;
  /** How `booking.watch` learnt the booking's owner: `stream` (a recent outcome), `redis`, `postgres`. */
  watchLookups: Counter<'source'>;
  /** Token versions (revocation), the same ingress checks; absent: only signature and expiry count. */
  tokens?: TokenVersionSource;
  /** Timers of background work (re-reading a booking after an outage), cleared on close. */
  timers: Set<NodeJS.Timeout>;
}

/** The room of sockets waiting on a booking of the event (they get its progress to compute positions). */
export const queueRoom = (eventId: string) => `queue:${eventId}`;

/**
 * Sends outcomes to this instance's sockets; a socket that no longer waits on any booking of the
 * event leaves its queue room (it stops receiving that event's progress).
 */
export function deliver(ctx: NotifierContext, deliveries: Iterable<Delivery>): void {
  for (const d of deliveries) {
    const socket = ctx.io.sockets.sockets.get(d.socketId);
    if (!socket) continue;
    socket.emit('booking.result', d.push);
    ctx.pushed.inc({ event: 'booking.result' });
    if (d.push.status !== 'queued' && !ctx.watchers.waitsOn(d.socketId, d.push.event_id))
      void socket.leave(queueRoom(d.push.event_id));
  }
}

/** Seconds a client should wait before asking again after a backing service failed. */
export const RETRY_AFTER_S = 2;
