import { useEffect, useMemo, useReducer, useState } from 'preact/hooks';
import type { OpsLive } from '../../../../shared/contracts/ops-live';
import type { PageContext } from '../../lib/page';
import { ApiError } from '../../lib/api';
import { formatRate, LiveHistory } from '../../lib/metrics-live';
import { Spark } from './chart';
import { EventControls } from './event-controls';

/** How often the console asks for a snapshot. */
const REFRESH_MS = 2000;

const BREAKER_TEXT = {
  closed: 'closed (payments flowing)',
  half_open: 'half-open (trying the provider)',
  open: 'OPEN (payments failing)',
  unknown: 'no worker reported',
} as const;

/** The operations console: live figures per event and partition, with pause and throttle controls. */
export function OpsConsole({ ctx }: { ctx: PageContext }) {
  const history = useMemo(() => new LiveHistory(), []);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [error, setError] = useState('');

  const refresh = useMemo(
    () => async () => {
      try {
        history.push(await ctx.api<OpsLive>('GET', '/v1/ops/live'));
        setError('');
      } catch (e) {
        setError(e instanceof ApiError ? e.message : 'The console could not reach the server; retrying.');
      }
      redraw(0);
    },
    [ctx, history],
  );
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const snap = history.latest;
  return (
    <div class="ops-console">
      <h1>Operations</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!snap ? (
        <p aria-busy="true">Loading the live figures…</p>
      ) : (
        <>
          <section class="ops-summary" aria-label="Overview">
            <p>
              Payment breaker:{' '}
              <strong class={`breaker breaker-${snap.payment_breaker}`}>{BREAKER_TEXT[snap.payment_breaker]}</strong>
            </p>
            <Spark
              label="Connected sockets"
              points={history.socketSeries()}
              value={`${snap.sockets} on ${snap.notifiers} notifier${snap.notifiers === 1 ? '' : 's'}`}
            />
            <p class="muted">
              As of {new Date(snap.at).toLocaleTimeString()}, every {REFRESH_MS / 1000} s.
            </p>
          </section>

          <h2>Events</h2>
          {snap.events.length === 0 && <p class="muted">No event has taken requests yet.</p>}
          <ul class="ops-events">
            {snap.events.map((ev) => {
              const now = history.current(ev.event_id);
              const state = ev.paused
                ? 'paused'
                : ev.throttle_per_s !== null
                  ? `throttled to ${ev.throttle_per_s}/s`
                  : 'flowing';
              return (
                <li key={ev.event_id} class="card ops-event">
                  <h3>
                    {ev.name} <span class={`state state-${ev.paused ? 'paused' : 'live'}`}>{state}</span>
                  </h3>
                  <p class="muted">
                    Partition {ev.partition} · {ev.decided} of {ev.accepted} decided · {ev.holds} holds
                  </p>
                  <div class="sparks">
                    <Spark
                      label="Accepted/s"
                      points={history.eventSeries(ev.event_id, 'acceptedPerS')}
                      value={formatRate(now?.acceptedPerS ?? 0)}
                    />
                    <Spark
                      label="Decided/s"
                      points={history.eventSeries(ev.event_id, 'decidedPerS')}
                      value={formatRate(now?.decidedPerS ?? 0)}
                    />
                    <Spark
                      label="Parked"
                      points={history.eventSeries(ev.event_id, 'parked')}
                      value={String(ev.parked)}
                    />
                    <Spark
                      label="Holds expiring (60 s)"
                      points={history.eventSeries(ev.event_id, 'holdsExpiring')}
                      value={String(ev.holds_expiring)}
                    />
                  </div>
                  <EventControls ev={ev} ctx={ctx} onChanged={() => void refresh()} />
                </li>
              );
            })}
          </ul>

          <h2>Partitions</h2>
          <ul class="ops-partitions">
            {snap.partitions.map((p) => (
              <li key={p.partition} class="card ops-partition">
                <h3>
                  Partition {p.partition}{' '}
                  <span class={`state state-${p.consumers ? 'live' : 'paused'}`}>
                    {p.consumers ? 'consumer active' : 'no consumer'}
                  </span>
                </h3>
                <p class="muted">
                  Epoch {p.epoch}
                  {p.owner ? ` · ${p.owner}` : ''}
                </p>
                <div class="sparks">
                  <Spark
                    label="Queue depth"
                    points={history.partitionSeries(p.partition, 'depth')}
                    value={p.depth === null ? 'unknown' : String(p.depth)}
                  />
                  <Spark
                    label="Decided/s"
                    points={history.partitionSeries(p.partition, 'rate_per_s')}
                    value={formatRate(p.rate_per_s)}
                  />
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
