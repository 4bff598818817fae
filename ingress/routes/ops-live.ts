import express from 'express';
import type { IngressContext } from '../context';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import type { BreakerState, OpsLive, OpsLiveEvent } from '../../shared/contracts/ops-live';
import { paymentBreakers } from './ops-payments';
import { queueDepths } from './ops';

/** A notifier's socket count older than this is from an instance that is gone. */
const NOTIFIER_STALE_MS = 15_000;
/** The console charts recent events; older quiet ones are left out. */
const EVENT_LIMIT = 200;

/**
 * `GET /v1/ops/live` (operators): what the operations console charts, in one round trip to each
 * store: events from PostgreSQL, their counters from Redis (one pipeline), queue depths from
 * RabbitMQ. Quiet events (nothing accepted, not paused, not throttled) are left out.
 */
export function opsLiveRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.opsLive, async (_req, res) => {
    const [{ rows: parts }, { rows: events }] = await Promise.all([
      ctx.pool.query<{ id: number; epoch: number; owner: string | null }>('SELECT id, epoch, owner FROM partitions'),
      ctx.pool.query<{ id: string; name: string; partition: number; throttle_per_s: number | null; paused: boolean }>(
        'SELECT id, name, partition, throttle_per_s, paused FROM events ORDER BY created_at DESC LIMIT $1',
        [EVENT_LIMIT],
      ),
    ]);
    const pipe = ctx.redis.pipeline();
    for (const e of events)
      pipe.get(ctx.keys.eventSeq(e.id)).get(ctx.keys.eventWatermark(e.id)).hgetall(ctx.keys.eventProgress(e.id));
    for (let p = 0; p < ctx.config.PARTITIONS; p++) pipe.hgetall(ctx.keys.partitionStats(p));
    pipe.hgetall(ctx.keys.notifierSockets);
    const replies = ((await pipe.exec().catch(() => null)) ?? []).map(([err, v]) => (err ? null : v));
    const at = (i: number) => replies[i] ?? null;

    const live: OpsLiveEvent[] = [];
    events.forEach((e, i) => {
      const progress = (at(i * 3 + 2) ?? {}) as Record<string, string>;
      const accepted = Number(at(i * 3) ?? 0);
      if (accepted === 0 && !e.paused && e.throttle_per_s === null) return;
      live.push({
        event_id: e.id,
        name: e.name,
        partition: e.partition,
        accepted,
        decided: Number(at(i * 3 + 1) ?? 0),
        parked: Number(progress.backlog ?? 0),
        holds: Number(progress.holds ?? 0),
        holds_expiring: Number(progress.holds_expiring ?? 0),
        rate_per_s: Number(progress.rate_per_s ?? 0),
        throttle_per_s: e.throttle_per_s,
        paused: e.paused,
      });
    });

    const base = events.length * 3;
    const byId = new Map(parts.map((p) => [p.id, p]));
    const depths = await queueDepths(ctx, ctx.broker.publisher().names, ctx.config.PARTITIONS).catch(() => []);
    const partitions = Array.from({ length: ctx.config.PARTITIONS }, (_, p) => {
      const stats = (at(base + p) ?? {}) as Record<string, string>;
      return {
        partition: p,
        depth: depths[p]?.messageCount ?? null,
        consumers: depths[p]?.consumerCount ?? null,
        rate_per_s: Number(stats.rate_per_s ?? 0),
        owner: byId.get(p)?.owner ?? null,
        epoch: byId.get(p)?.epoch ?? 0,
      };
    });

    const now = Date.now();
    const notifiers = Object.values((at(base + ctx.config.PARTITIONS) ?? {}) as Record<string, string>)
      .map((json) => {
        try {
          return JSON.parse(json) as { sockets: number; at: string };
        } catch {
          return null;
        }
      })
      .filter((n): n is { sockets: number; at: string } => n !== null && now - Date.parse(n.at) < NOTIFIER_STALE_MS);

    const body: OpsLive = {
      at: new Date(now).toISOString(),
      partitions,
      events: live,
      payment_breaker: breakerOf((await paymentBreakers(ctx)).map((b) => b.state)),
      sockets: notifiers.reduce((sum, n) => sum + n.sockets, 0),
      notifiers: notifiers.length,
    };
    res.json(body);
  });
  return r;
}

/** The worst state over every worker's breaker: one open breaker means payments are failing somewhere. */
export function breakerOf(states: string[]): BreakerState {
  if (states.includes('open')) return 'open';
  if (states.includes('half_open')) return 'half_open';
  return states.length ? 'closed' : 'unknown';
}
