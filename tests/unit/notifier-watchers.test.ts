import { describe, expect, it } from 'vitest';
import { isNewer, Watchers } from '../../notifier/watchers';
import type { BookingResultPush, PushStatus } from '../../shared/contracts/socket';

const push = (status: PushStatus, decidedAt: string, bookingId = 'b1'): BookingResultPush => ({ booking_id: bookingId, event_id: 'e1', status, decided_at: decidedAt });

describe('notifier watcher index', () => {
  it('orders outcomes by decision time, then by lifecycle step within one batch', () => {
    expect(isNewer(push('expired', '2026-01-01T00:00:02.000Z'), push('held', '2026-01-01T00:00:01.000Z'))).toBe(true);
    expect(isNewer(push('held', '2026-01-01T00:00:01.000Z'), push('expired', '2026-01-01T00:00:02.000Z'))).toBe(false);
    // A declined payment puts a booking back to `held`: later, so news.
    expect(isNewer(push('held', '2026-01-01T00:00:03.000Z'), push('payment_pending', '2026-01-01T00:00:02.000Z'))).toBe(true);
    expect(isNewer(push('cancelled', '2026-01-01T00:00:01.000Z'), push('held', '2026-01-01T00:00:01.000Z'))).toBe(true);
    expect(isNewer(push('held', '2026-01-01T00:00:01.000Z'), push('held', '2026-01-01T00:00:01.000Z'))).toBe(false);
  });

  it('sends a confirmed socket each newer outcome once, holds them back before confirmation, and drops older ones', () => {
    const w = new Watchers();
    w.add('s1', 'b1');
    expect(w.offer(push('held', '2026-01-01T00:00:01.000Z'))).toEqual([]);
    w.confirm('s1', 'b1', 'e1', 3);
    const entry = w.get('b1')!;
    expect(w.latestFor('s1', entry)).toMatchObject({ socketId: 's1', push: { status: 'held' } });
    expect(w.latestFor('s1', entry)).toBeNull();
    expect(w.offer(push('expired', '2026-01-01T00:00:02.000Z')).map((d) => d.push.status)).toEqual(['expired']);
    expect(w.offer(push('held', '2026-01-01T00:00:01.500Z'))).toEqual([]);
    expect(w.offer(push('expired', '2026-01-01T00:00:02.000Z'))).toEqual([]);
  });

  it('keeps only waiting bookings in the event index, and forgets a socket with its watches', () => {
    const w = new Watchers();
    for (const id of ['b1', 'b2', 'b3']) {
      w.add('s1', id);
      w.confirm('s1', id, 'e1', 1);
    }
    w.add('s2', 'b3');
    w.confirm('s2', 'b3', 'e1', 1);
    expect([...w.queuedOf('e1')].map((x) => x.bookingId).sort()).toEqual(['b1', 'b2', 'b3']);
    w.offer(push('held', '2026-01-01T00:00:01.000Z', 'b2'));
    expect([...w.queuedOf('e1')].map((x) => x.bookingId).sort()).toEqual(['b1', 'b3']);
    expect(w.countOf('s1')).toBe(3);
    w.dropSocket('s1');
    expect(w.countOf('s1')).toBe(0);
    expect(w.size).toBe(1);
    expect([...w.queuedOf('e1')].map((x) => x.bookingId)).toEqual(['b3']);
    w.remove('s2', 'b3');
    expect(w.size).toBe(0);
    expect([...w.queuedOf('e1')]).toEqual([]);
  });

  it('moves a socket forward only', () => {
    const w = new Watchers();
    const entry = w.add('s1', 'b1');
    expect(w.advance('s1', entry, 5)).toBe(false); // not confirmed yet
    w.confirm('s1', 'b1', 'e1', 10);
    expect(w.advance('s1', entry, 5)).toBe(true);
    expect(w.advance('s1', entry, 5)).toBe(false);
    expect(w.advance('s1', entry, 7)).toBe(false);
    expect(w.advance('s1', entry, 4)).toBe(true);
  });
});
