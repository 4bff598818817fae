import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { uuidParam } from '../../shared/contracts/http';
import { registerRoute } from '../http/route-table';
import { ROUTES } from '../http/routes';
import { AppError } from '../../shared/errors';
import { paymentBreakers } from './ops-payments';

/**
 * Operator endpoints. Settings are written to PostgreSQL (durable, read by whichever worker becomes
 * active) and broadcast on the control exchange (applied live by the active worker).
 */
export function opsRouter(ctx: IngressContext) {
  const r = express.Router();

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.opsPartitions, async (_req: Request, res: Response) => {
    const { rows: parts } = await ctx.pool.query<{
      id: number;
      epoch: number;
      owner: string | null;
      activated_at: Date | null;
      last_commit_at: Date | null;
    }>('SELECT id, epoch, owner, activated_at, last_commit_at FROM partitions');
    const byId = new Map(parts.map((p) => [p.id, p]));
    const { rows: events } = await ctx.pool.query<{
      id: string;
      name: string;
      partition: number;
      throttle_per_s: number | null;
      paused: boolean;
    }>(`SELECT id, name, partition, throttle_per_s, paused FROM events ORDER BY created_at DESC LIMIT 1000`);
    const names = ctx.broker.publisher().names;
    const depths = await queueDepths(ctx, names, ctx.config.PARTITIONS);
    const out = [];
    for (let p = 0; p < ctx.config.PARTITIONS; p++) {
      const stats = await ctx.redis.hgetall(ctx.keys.partitionStats(p)).catch((): Record<string, string> => ({}));
      const evs = events.filter((e) => e.partition === p);
      const perEvent = await Promise.all(
        evs.map(async (e) => {
          const [seq, wm, progress] = await Promise.all([
            ctx.redis.get(ctx.keys.eventSeq(e.id)).catch(() => null),
            ctx.redis.get(ctx.keys.eventWatermark(e.id)).catch(() => null),
            ctx.redis.hgetall(ctx.keys.eventProgress(e.id)).catch((): Record<string, string> => ({})),
          ]);
          return {
            event_id: e.id,
            name: e.name,
            sequence: Number(seq ?? 0),
            watermark: Number(wm ?? 0),
            backlog: Number(progress.backlog ?? 0),
            rate_per_s: Number(progress.rate_per_s ?? 0),
            throttle_per_s: e.throttle_per_s,
            paused: e.paused,
          };
        }),
      );
      const part = byId.get(p);
      out.push({
        partition: p,
        queue: names.partitionQueue(p),
        depth: depths[p]?.messageCount ?? null,
        consumers: depths[p]?.consumerCount ?? null,
        active_consumer_present: (depths[p]?.consumerCount ?? 0) > 0,
        epoch: part?.epoch ?? 0,
        owner: part?.owner ?? null,
        last_commit_at: part?.last_commit_at ?? null,
        rate_per_s: Number(stats.rate_per_s ?? 0),
        events: perEvent,
      });
    }
    res.json({ partitions: out, payment_breakers: await paymentBreakers(ctx) });
  });

  const setSettings =
    (
      change: (current: { throttle_per_s: number | null; paused: boolean }) => {
        throttle_per_s: number | null;
        paused: boolean;
      },
    ) =>
    async (req: Request, res: Response) => {
      const id = uuidParam.safeParse(req.params.id);
      if (!id.success) throw new AppError('invalid_id');
      const { rows } = await ctx.pool.query<{
        id: string;
        partition: number;
        throttle_per_s: number | null;
        paused: boolean;
      }>('SELECT id, partition, throttle_per_s, paused FROM events WHERE id = $1', [id.data]);
      const ev = rows[0];
      if (!ev) throw new AppError('event_not_found');
      const next = change({ throttle_per_s: ev.throttle_per_s, paused: ev.paused });
      const publisher = ctx.broker.publisher();
      await ctx.pool.query('UPDATE events SET throttle_per_s = $2, paused = $3, updated_at = now() WHERE id = $1', [
        id.data,
        next.throttle_per_s,
        next.paused,
      ]);
      await publisher
        .publishControl({
          type: 'event.settings',
          event_id: id.data,
          partition: ev.partition,
          throttle_per_s: next.throttle_per_s,
          paused: next.paused,
        })
        .catch(() => {
          throw new AppError(
            'queue_unavailable',
            'Saved, but the live update was not confirmed; the active worker applies it on failover or retry.',
            undefined,
            1,
          );
        });
      ctx.logger.info('event settings changed', { request_id: req.requestId, event_id: id.data, ...next });
      res.json({ event_id: id.data, ...next });
    };

  registerRoute(r, ctx.config.JWT_SECRET, ROUTES.throttleEvent, (req, res, { body }) =>
    setSettings((cur) => ({ ...cur, throttle_per_s: body.per_second }))(req, res),
  );
  registerRoute(
    r,
    ctx.config.JWT_SECRET,
    ROUTES.pauseEvent,
    setSettings((cur) => ({ ...cur, paused: true })),
  );
  registerRoute(
    r,
    ctx.config.JWT_SECRET,
    ROUTES.resumeEvent,
    setSettings((cur) => ({ ...cur, paused: false })),
  );
  return r;
}

export async function queueDepths(
  ctx: IngressContext,
  names: { partitionQueue(n: number): string },
  partitions: number,
) {
  // checkQueue on a closed channel would close it: use a short-lived channel per call.
  const out: Array<{ messageCount: number; consumerCount: number } | null> = [];
  const ch = await ctx.broker.channel();
  try {
    for (let p = 0; p < partitions; p++) out.push(await ch.checkQueue(names.partitionQueue(p)));
  } finally {
    await ch.close().catch(() => undefined);
  }
  return out;
}
