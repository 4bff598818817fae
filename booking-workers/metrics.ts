import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Fine enough that the benchmark's p50 / p99 (interpolated inside a bucket) are within a few ms. */
const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1,
  2.5,
];

/** Prometheus metrics of a worker process, served on its /metrics. */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['partition'] as const;
  return {
    registry,
    decisions: new Counter({
      name: 'onsale_worker_decisions_total',
      help: 'Booking outcomes announced',
      labelNames,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'onsale_worker_batch_messages',
      help: 'Messages per batch',
      labelNames,
      buckets: [1, 10, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'onsale_worker_commit_seconds',
      help: 'Dequeue to committed, per batch',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'onsale_worker_batch_seconds',
      help: 'Dequeue to committed, announced and acked, per batch',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    batchFailures: new Counter({
      name: 'onsale_worker_batch_failures_total',
      help: 'Batches that failed and were redelivered',
      labelNames,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'onsale_worker_dead_lettered_total',
      help: 'Malformed messages sent to the dead-letter queue',
      labelNames,
      registers: [registry],
    }),
    eventLoads: new Counter({
      name: 'onsale_worker_event_loads_total',
      help: 'Events loaded (or reloaded) from PostgreSQL into memory',
      labelNames,
      registers: [registry],
    }),
    eventEvictions: new Counter({
      name: 'onsale_worker_event_evictions_total',
      help: 'Idle events dropped from memory (WORKER_EVENT_IDLE_MS)',
      labelNames,
      registers: [registry],
    }),
    deadLetterFailures: new Counter({
      name: 'onsale_worker_dead_letter_failures_total',
      help: 'Bookings failed because a command naming them was dead-lettered (booking.fail commands sent)',
      registers: [registry],
    }),
    // Per event as well as partition: the operations console and Grafana chart a live on-sale by event.
    eventParked: new Gauge({
      name: 'onsale_event_parked',
      help: 'Requests parked behind a pause, throttle or the on-sale time',
      labelNames: ['partition', 'event'] as const,
      registers: [registry],
    }),
    eventHolds: new Gauge({
      name: 'onsale_event_holds',
      help: 'Bookings holding inventory until paid or expired',
      labelNames: ['partition', 'event'] as const,
      registers: [registry],
    }),
    eventHoldsExpiring: new Gauge({
      name: 'onsale_event_holds_expiring',
      help: 'Holds that expire within the next 60 s',
      labelNames: ['partition', 'event'] as const,
      registers: [registry],
    }),
    activations: new Counter({
      name: 'onsale_worker_activations_total',
      help: 'Times this worker became the active consumer of a partition',
      labelNames,
      registers: [registry],
    }),
    paymentBreakerState: new Gauge({
      name: 'onsale_payment_breaker_state',
      help: 'Payment provider circuit breaker: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    paymentCalls: new Counter({
      name: 'onsale_payment_calls_total',
      help: 'Provider calls by kind (charge, refund) and outcome (pending, refused, unavailable)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    emailsSent: new Counter({
      name: 'onsale_emails_sent_total',
      help: 'Outbox e-mails handed to the sender',
      labelNames: ['template', 'outcome'] as const,
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
