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

  it('lets decided watches give way under the cap, oldest first, and refuses only when all are pending', () => {
    const w = new Watchers();
    const cap = 3;
    const watch = (id: string) => {
      if (!w.watching('s1', id) && !w.makeRoom('s1', cap)) return false;
      w.add('s1', id);
      w.confirm('s1', id, 'e1');
      return true;
    };
    // A long-lived socket watching 3x the cap, each decided (and told) before the next: never refused.
    for (let i = 0; i < 3 * cap; i++) {
      expect(watch(`b${i}`)).toBe(true);
      expect(w.offer(push('held', '2026-01-01T00:00:01.000Z', `b${i}`))).toHaveLength(1);
      expect(w.countOf('s1')).toBeLessThanOrEqual(cap);
      expect(w.pendingOf('s1')).toBe(0);
    }
    // Memory is bounded: only the last `cap` decided watches are kept, the oldest ones went first.
    expect(w.size).toBe(cap);
    expect(['b6', 'b7', 'b8'].every((id) => w.watching('s1', id))).toBe(true);
    // A kept decided watch is still told later outcomes.
    expect(w.offer(push('expired', '2026-01-01T00:00:02.000Z', 'b8')).map((d) => d.push.status)).toEqual(['expired']);
    // Pending watches take the places one by one, evicting the oldest decided (b6, then b7, then b8).
    expect(watch('p1')).toBe(true);
    expect(w.watching('s1', 'b6')).toBe(false);
    expect(watch('p2')).toBe(true);
    expect(watch('p3')).toBe(true);
    expect(w.pendingOf('s1')).toBe(cap);
    expect(w.size).toBe(cap);
    // Every watch pending: refused, and nothing was evicted.
    expect(watch('p4')).toBe(false);
    expect(w.countOf('s1')).toBe(cap);
    // Watching one already watched is not a new watch.
    expect(watch('p1')).toBe(true);
    // Unconfirmed watches are pending too, whatever their booking's outcome.
    const v = new Watchers();
    v.add('s2', 'x1');
    v.offer(push('held', '2026-01-01T00:00:01.000Z', 'x1'));
    expect(v.makeRoom('s2', 1)).toBe(false);
    v.confirm('s2', 'x1', 'e1');
    expect(v.latestFor('s2', v.get('x1')!)).not.toBeNull();
    expect(v.makeRoom('s2', 1)).toBe(true);
    expect(v.size).toBe(0);
  });

  it('turns a broadcast watermark into a position and a wait', () => {
    expect(positionOf(41, { watermark: 0, rate_per_s: 0 })).toEqual({ position: 41, eta_seconds: null });
    expect(positionOf(41, { watermark: 30, rate_per_s: 4 })).toEqual({ position: 11, eta_seconds: 3 });
    expect(positionOf(41, { watermark: 50, rate_per_s: 4 })).toEqual({ position: 1, eta_seconds: 1 });
  });
});
