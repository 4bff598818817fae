import { describe, expect, it } from 'vitest';
import { CLOCK_MARGIN_MS, RecentResults } from '../../notifier/recent-results';
import type { BookingResultPush } from '../../shared/contracts/socket';

const push = (id: string, status: BookingResultPush['status'], decidedAt: string): BookingResultPush => ({
  booking_id: id,
  event_id: 'e',
  status,
  decided_at: decidedAt,
});

describe('recent outcomes kept by the notifier', () => {
  it('keeps the newest outcome per booking, bounded in number', () => {
    const r = new RecentResults(2, 60_000);
    r.remember('u', 1, push('a', 'held', '2026-12-02T00:00:01Z'));
    r.remember('u', null, push('a', 'queued', '2026-12-02T00:00:00Z')); // older: ignored, seq kept
    expect(r.get('a')).toMatchObject({ seq: 1, push: { status: 'held' } });
    r.remember('u', 2, push('b', 'held', '2026-12-02T00:00:01Z'));
    r.remember('u', 3, push('c', 'held', '2026-12-02T00:00:01Z'));
    expect(r.size).toBe(2);
    expect(r.get('a')).toBeUndefined();
  });

  it('forgets outcomes past their age, and frees them when purged', async () => {
    const r = new RecentResults(1000, 40);
    for (let i = 0; i < 10; i++) r.remember('u', i, push(`b${i}`, 'held', '2026-12-02T00:00:01Z'));
    expect(r.size).toBe(10);
    await new Promise((resolve) => setTimeout(resolve, 80));
    r.purgeStale();
    expect(r.size).toBe(0);
    expect(r.get('b1')).toBeUndefined();
  });

  it('says it must hold the outcome of a request made after the stream began, with no eviction since and within its age', () => {
    let now = 1_000_000;
    const r = new RecentResults(2, 120_000, () => now);
    // Not reading the stream yet: nothing is covered.
    expect(r.covers(now)).toBe(false);
    r.streamStarted(now);
    // Requests from before the stream began (or within the clock margin of it) are not covered.
    expect(r.covers(now - 1)).toBe(false);
    expect(r.covers(now + CLOCK_MARGIN_MS - 1)).toBe(false);
    now += 10_000;
    expect(r.covers(now - 1_000)).toBe(true);
    expect(r.covers(Number.NaN)).toBe(false);
    // Too old: its outcome may have aged out.
    now += 200_000;
    expect(r.covers(now - 120_000 + CLOCK_MARGIN_MS)).toBe(false);
    expect(r.covers(now - 1_000)).toBe(true);
    // An eviction for room: anything requested before it (or within the margin) is not covered any more.
    r.remember('u', 1, push('a', 'held', '2026-12-02T00:00:01Z'));
    r.remember('u', 2, push('b', 'held', '2026-12-02T00:00:01Z'));
    r.remember('u', 3, push('c', 'held', '2026-12-02T00:00:01Z'));
    expect(r.covers(now - 1_000)).toBe(false);
    expect(r.covers(now + CLOCK_MARGIN_MS)).toBe(true);
  });
});
