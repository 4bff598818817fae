import { describe, expect, it } from 'vitest';
import { RecentResults } from '../../notifier/recent-results';
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
});
