import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LRUCache } from 'lru-cache';
import { EventCoalescer } from '../../notifier/broker/coalesce';
import { eventRoom } from '../../notifier/rooms';
import { eventUpdate, mergeSeats } from '../../notifier/broker/event-update';
import { roomIntervalMs } from '../../notifier/broker/room-interval';
import { queueRoom, type NotifierContext } from '../../notifier/context';
import type { EventProgress } from '../../shared/contracts/messages';
import type { EventProgressPush } from '../../shared/contracts/socket';

const progress = (watermark: number, paused = false): EventProgress => ({
  event_id: 'e1',
  watermark,
  rate_per_s: 4,
  paused,
  throttle_per_s: null,
  at: '2026-12-02T00:00:00.000Z',
});

describe("the event room's clock", () => {
  it('is NOTIFIER_EVENT_ROOM_MS for a small room and room size / budget for a big one', () => {
    expect(roomIntervalMs(0, 1000, 5000)).toBe(1000);
    expect(roomIntervalMs(4_999, 1000, 5000)).toBe(1000);
    expect(roomIntervalMs(5_000, 1000, 5000)).toBe(1000);
    expect(roomIntervalMs(7_500, 1000, 5000)).toBe(1500);
    expect(roomIntervalMs(10_000, 1000, 5000)).toBe(2000);
    expect(roomIntervalMs(20_000, 1000, 5000)).toBe(4000);
    expect(roomIntervalMs(3, 200, 7)).toBe(429);
    expect(roomIntervalMs(10_000, 1000, Number.POSITIVE_INFINITY)).toBe(1000);
  });
});

describe("an event room's update", () => {
  it('carries the progress and the seat changes of a tick together, the last status of each seat winning', () => {
    let seats = mergeSeats(undefined, { event_id: 'e1', seats: [['A-1', 'held']], as_of: 't1' });
    seats = mergeSeats(seats, {
      event_id: 'e1',
      seats: [
        ['A-2', 'held'],
        ['A-1', 'sold'],
      ],
      available: 7,
      as_of: 't2',
    });
    seats = mergeSeats(seats, { event_id: 'e1', seats: [['A-2', 'available']], as_of: 't3' });
    const { at: _at, ...p } = progress(12, true);
    expect(eventUpdate('e1', p, seats)).toEqual({
      event_id: 'e1',
      progress: { watermark: 12, rate_per_s: 4, paused: true, throttle_per_s: null },
      seats: [
        ['A-1', 'sold'],
        ['A-2', 'available'],
      ],
      available: 7,
      as_of: 't3',
    });
  });

  it('has only what changed, and is nothing when nothing did', () => {
    const { at: _at, ...p } = progress(3);
    expect(eventUpdate('e1', p, undefined)).toEqual({
      event_id: 'e1',
      progress: { watermark: 3, rate_per_s: 4, paused: false, throttle_per_s: null },
    });
    expect(eventUpdate('e1', undefined, mergeSeats(undefined, { event_id: 'e1', available: 0, as_of: 't' }))).toEqual({
      event_id: 'e1',
      available: 0,
      as_of: 't',
    });
    expect(eventUpdate('e1', undefined, undefined)).toBeNull();
    expect(eventUpdate('e1', undefined, mergeSeats(undefined, { event_id: 'e1', as_of: 't' }))).toBeNull();
  });
});

describe('the coalescer', () => {
  const sent: Array<{ room: string; name: string; payload: unknown; at: number }> = [];
  let roomSize = 0;
  const ctx = {
    io: {
      local: {
        to: (room: string) => ({
          emit: (name: string, payload: unknown) => sent.push({ room, name, payload, at: Date.now() }),
        }),
      },
      of: () => ({ adapter: { rooms: new Map([[eventRoom('e1'), { size: roomSize }]]) } }),
    },
    pushed: { inc: () => undefined },
    lastProgress: new LRUCache<string, EventProgressPush>({ max: 10 }),
  } as unknown as NotifierContext;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    sent.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('sends the room one message per tick with both, on a clock that slows with the room', () => {
    const c = new EventCoalescer(ctx, 200, { minMs: 1000, writesPerS: 5000, sliceAbove: Infinity });
    roomSize = 10_000;
    const t0 = Date.now();
    // A first change after a quiet spell goes at once.
    c.addSeats({ event_id: 'e1', seats: [['A-1', 'held']], as_of: 't1' });
    vi.advanceTimersByTime(0);
    expect(sent.filter((m) => m.room === eventRoom('e1'))).toHaveLength(1);
    // Then a change every 100 ms for 6 s: a 10,000-socket room gets one update every 2 s.
    for (let i = 1; i <= 60; i++) {
      c.addProgress(progress(i));
      c.addSeats({ event_id: 'e1', seats: [[`A-${i % 5}`, i % 2 ? 'sold' : 'held']], as_of: `t${i}` });
      vi.advanceTimersByTime(100);
    }
    const room = sent.filter((m) => m.room === eventRoom('e1'));
    expect(room.map((m) => m.name)).toEqual(['event.update', 'event.update', 'event.update', 'event.update']);
    expect(room.map((m) => m.at - t0)).toEqual([0, 2000, 4000, 6000]);
    expect(room[1]!.payload).toMatchObject({ event_id: 'e1', progress: { watermark: 20 }, seats: expect.any(Array) });
    // The waiting sockets keep their 200 ms clock.
    const queue = sent.filter((m) => m.room === queueRoom('e1'));
    expect(queue.length).toBeGreaterThanOrEqual(29);
    expect(queue.every((m) => m.name === 'event.progress')).toBe(true);
    c.stop();
  });

  it('does not send the room a progress it was already sent', () => {
    const c = new EventCoalescer(ctx, 200, { minMs: 1000, writesPerS: 5000, sliceAbove: 1000 });
    roomSize = 10;
    c.addProgress(progress(5));
    vi.advanceTimersByTime(0);
    c.addProgress(progress(6));
    c.addProgress(progress(5));
    vi.advanceTimersByTime(3000);
    const room = sent.filter((m) => m.room === eventRoom('e1'));
    expect(room).toHaveLength(1);
    expect(room[0]!.payload).toMatchObject({ progress: { watermark: 5 } });
    c.stop();
  });

  it('writes a room above its slice threshold slice by slice, one slice per event-loop turn', async () => {
    const c = new EventCoalescer(ctx, 200, { minMs: 1000, writesPerS: 5000, sliceAbove: 1000 });
    roomSize = 5_000;
    c.addProgress(progress(3));
    vi.advanceTimersByTime(0);
    // The first slice goes at once, the other 15 on the next turns (setImmediate is not faked here).
    expect(sent.filter((m) => m.room.startsWith('slice:e1:'))).toHaveLength(1);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    const slices = sent.filter((m) => m.room.startsWith('slice:e1:'));
    expect(new Set(slices.map((m) => m.room)).size).toBe(16);
    expect(slices).toHaveLength(16);
    expect(sent.filter((m) => m.room === eventRoom('e1'))).toHaveLength(0);
    expect(slices.every((m) => m.name === 'event.update')).toBe(true);
    c.stop();
  });
});
