import { z } from 'zod';

/**
 * `GET /v1/ops/live`: one snapshot of a live on-sale for the operations console. Counters
 * (`accepted`, `decided`) are cumulative, so the console derives accepted/s and decided/s from two
 * snapshots (`web/src/lib/metrics.ts`); gauges are as of `at`. The same figures reach Prometheus as
 * `onsale_event_*`, `onsale_worker_decisions_total`, `onsale_payment_breaker_state` and
 * `onsale_notifier_sockets` (see `ops/grafana/dashboards/onsale.json`).
 */
export const opsLiveEventSchema = z.object({
  event_id: z.uuid(),
  name: z.string(),
  partition: z.number().int().nonnegative(),
  /** Requests accepted so far (the event's sequence counter). */
  accepted: z.number().int().nonnegative(),
  /** Highest sequence number decided (the watermark). */
  decided: z.number().int().nonnegative(),
  /** Requests parked behind a pause, throttle or the on-sale time. */
  parked: z.number().int().nonnegative(),
  holds: z.number().int().nonnegative(),
  /** Holds due within the next 60 s. */
  holds_expiring: z.number().int().nonnegative(),
  /** Decisions per second over the worker's last 5 s. */
  rate_per_s: z.number().nonnegative(),
  throttle_per_s: z.number().nullable(),
  paused: z.boolean(),
});

export const opsLivePartitionSchema = z.object({
  partition: z.number().int().nonnegative(),
  /** Messages ready in the partition queue; null when RabbitMQ did not answer. */
  depth: z.number().int().nonnegative().nullable(),
  consumers: z.number().int().nonnegative().nullable(),
  rate_per_s: z.number().nonnegative(),
  owner: z.string().nullable(),
  epoch: z.number().int().nonnegative(),
});

export const breakerStateSchema = z.enum(['closed', 'half_open', 'open', 'unknown']);

export const opsLiveSchema = z.object({
  at: z.string(),
  partitions: z.array(opsLivePartitionSchema),
  events: z.array(opsLiveEventSchema),
  payment_breaker: breakerStateSchema,
  /** Connected sockets over every notifier instance that reported in the last 15 s. */
  sockets: z.number().int().nonnegative(),
  notifiers: z.number().int().nonnegative(),
});

export type OpsLive = z.infer<typeof opsLiveSchema>;
export type OpsLiveEvent = z.infer<typeof opsLiveEventSchema>;
export type OpsLivePartition = z.infer<typeof opsLivePartitionSchema>;
export type BreakerState = z.infer<typeof breakerStateSchema>;
