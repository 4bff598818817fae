import { useState } from 'preact/hooks';
import type { OpsLiveEvent } from '../../../../shared/contracts/ops-live';
import type { PageContext } from '../../lib/page';
import { ApiError } from '../../lib/api';

/**
 * Pause / resume and throttle of one event. Its own state holds what the operator types, and the
 * console keys it by event id, so the two-second refresh re-renders around it without wiping the input.
 */
export function EventControls({ ev, ctx, onChanged }: { ev: OpsLiveEvent; ctx: PageContext; onChanged: () => void }) {
  const [throttle, setThrottle] = useState(ev.throttle_per_s === null ? '' : String(ev.throttle_per_s));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const act = async (method: string, path: string, body?: unknown, said?: string) => {
    setBusy(true);
    setError('');
    try {
      await ctx.api(method, path, body);
      if (said) ctx.announce(said);
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The change was not saved.');
    } finally {
      setBusy(false);
    }
  };
  const base = `/v1/ops/events/${ev.event_id}`;
  const id = `throttle-${ev.event_id}`;
  const submitThrottle = (e: Event) => {
    e.preventDefault();
    const perS = throttle.trim() === '' ? null : Number(throttle);
    if (perS !== null && !(Number.isFinite(perS) && perS > 0)) {
      setError('A throttle is a number of requests per second above 0, or empty for none.');
      return;
    }
    void act(
      'PUT',
      `${base}/throttle`,
      { per_second: perS },
      perS === null ? `${ev.name}: throttle removed` : `${ev.name}: throttled to ${perS} per second`,
    );
  };
  return (
    <form class="controls" onSubmit={submitThrottle}>
      {ev.paused ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void act('POST', `${base}/resume`, undefined, `${ev.name} resumed`)}
        >
          Resume
        </button>
      ) : (
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => void act('POST', `${base}/pause`, undefined, `${ev.name} paused`)}
        >
          Pause
        </button>
      )}
      <label for={id}>Throttle (per s)</label>
      <input
        id={id}
        name="throttle"
        type="number"
        min="1"
        step="any"
        inputMode="decimal"
        placeholder="none"
        value={throttle}
        onInput={(e) => setThrottle(e.currentTarget.value)}
      />
      <button type="submit" class="secondary" disabled={busy}>
        Set
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
