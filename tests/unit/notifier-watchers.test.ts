import { describe, expect, it } from 'vitest';
import { isNewer, Watchers } from '../../notifier/watchers';
import { positionOf, type BookingResultPush, type PushStatus } from '../../shared/contracts/socket';

const push = (status: PushStatus, decidedAt: string, bookingId = 'b1'): BookingResultPush => ({
  booking_id: bookingId,
  event_id: 'e1',
  status,
  decided_at: decidedAt,
});

describe('notifier watcher index', () => {
  it('orders outcomes by decision time, then by lifecycle step within one batch', () => {
    expect(isNewer(push('expired', '2026-01-01T00:00:02.000Z'), push('held', '2026-01-01T00:00:01.000Z'))).toBe(true);
    expect(isNewer(push('held', '2026-01-01T00:00:01.000Z'), push('expired', '2026-01-01T00:00:02.000Z'))).toBe(false);
    // A declined payment puts a booking back to `held`: later, so news.
    expect(isNewer(push('held', '2026-01-01T00:00:03.000Z'), push('payment_pending', '2026-01-01T00:00:02.000Z'))).toBe(
      true,
    );
    expect(isNewer(push('cancelled', '2026-01-01T00:00:01.000Z'), push('held', '2026-01-01T00:00:01.000Z'))).toBe(true);
    expect(isNewer(push('held', '2026-01-01T00:00:01.000Z'), push('held', '2026-01-01T00:00:01.000Z'))).toBe(false);
  });

  it('sends a confirmed socket each newer outcome once, holds them back before confirmation, and drops older ones', () => {
    const w = new Watchers();
    w.add('s1', 'b1');
    expect(w.offer(push('held', '2026-01-01T00:00:01.000Z'))).toEqual([]);
    w.confirm('s1', 'b1', 'e1');
    const entry = w.get('b1')!;
    expect(w.latestFor('s1', entry)).toMatchObject({ socketId: 's1', push: { status: 'held' } });
    expect(w.latestFor('s1', entry)).toBeNull();
    expect(w.offer(push('expired', '2026-01-01T00:00:02.000Z')).map((d) => d.push.status)).toEqual(['expired']);
    expect(w.offer(push('held', '2026-01-01T00:00:01.500Z'))).toEqual([]);
    expect(w.offer(push('expired', '2026-01-01T00:00:02.000Z'))).toEqual([]);
  });

  it('ends a watch at a final outcome once told, and forgets a socket with its watches', () => {
    const w = new Watchers();
    for (const id of ['b1', 'b2', 'b3']) {
      w.add('s1', id);
      w.confirm('s1', id, 'e1');
    }
    w.add('s2', 'b3');
    w.confirm('s2', 'b3', 'e1');
    expect(w.waitsOn('s1', 'e1')).toBe(true);
    expect(w.offer(push('held', '2026-01-01T00:00:01.000Z', 'b2'))).toHaveLength(1);
    expect(w.countOf('s1')).toBe(3);
    // A rejection is final: told once, then the watch is gone (and frees its place under the cap).
    expect(w.offer(push('rejected', '2026-01-01T00:00:01.000Z', 'b1'))).toHaveLength(1);
    expect(w.countOf('s1')).toBe(2);
    expect(w.get('b1')).toBeUndefined();
    expect(w.waitsOn('s1', 'e1')).toBe(true); // b3 still waits
    w.dropSocket('s1');
    expect(w.countOf('s1')).toBe(0);
    expect(w.size).toBe(1);
    expect(w.waitsOn('s2', 'e1')).toBe(true);
    w.remove('s2', 'b3');
    expect(w.size).toBe(0);
  });

  it('turns a broadcast watermark into a position and a wait', () => {
    expect(positionOf(41, { watermark: 0, rate_per_s: 0 })).toEqual({ position: 41, eta_seconds: null });
    expect(positionOf(41, { watermark: 30, rate_per_s: 4 })).toEqual({ position: 11, eta_seconds: 3 });
    expect(positionOf(41, { watermark: 50, rate_per_s: 4 })).toEqual({ position: 1, eta_seconds: 1 });
  });
});
