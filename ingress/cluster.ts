import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, Registry } from 'prom-client';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';

/**
 * Ingress on every core: a small primary (no connections of its own) forks INGRESS_PROCESSES ingress
 * processes that share PORT through node:cluster (the primary accepts and hands connections out
 * round-robin), restarts one that dies, stops them all in order on SIGTERM/SIGINT and answers their
 * `/metrics` with the sum of all of them (prom-client's `AggregatorRegistry`), so a scrape sees the
 * whole ingress whichever process it lands on.
 */

/** IPC between the primary and its ingress processes. */
type ToPrimary = { type: 'onsale:metrics-req'; id: string };
type ToWorker = { type: 'onsale:metrics-res'; id: string; text?: string; error?: string } | { type: 'onsale:shutdown' };

const isMessage = (m: unknown): m is { type: string } =>
  typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';

/** Least time between two restarts of a process that keeps dying (doubles up to 10 s). */
const RESTART_MIN_MS = 250;

/**
 * Runs the primary: forks `processes` ingress processes and keeps that many running until a signal.
 * Resolves never; exits the process when its children are gone after a signal.
 */
export function runIngressPrimary(config: Config, logger: Logger, processes: number): void {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let restartDelay = RESTART_MIN_MS;

  const fork = (): Worker => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    worker.on('message', (m: unknown) => {
      if (!isMessage(m) || m.type !== 'onsale:metrics-req') return;
      const { id } = m as ToPrimary;
      aggregator.clusterMetrics().then(
        (text) => send(worker, { type: 'onsale:metrics-res', id, text }),
        (err: unknown) => send(worker, { type: 'onsale:metrics-res', id, error: (err as Error).message }),
      );
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      // A process that lived a while is restarted at once; one that dies at start-up, with backoff.
      restartDelay = Date.now() - startedAt > 10_000 ? RESTART_MIN_MS : Math.min(restartDelay * 2, 10_000);
      logger.error('ingress process died; starting another', {
        worker_pid: worker.process.pid,
        code,
        signal,
        restart_in_ms: restartDelay,
      });
      setTimeout(() => !stopping && fork(), restartDelay).unref();
    });
    return worker;
  };

  for (let i = 0; i < processes; i++) fork();
  logger.info('ingress primary started', { processes, port: config.PORT });

  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: forcing exit', { signal });
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down ingress processes', { signal });
    // Each process stops intake, finishes its requests and closes (its own SHUTDOWN_TIMEOUT_MS).
    for (const w of Object.values(cluster.workers ?? {})) if (w) send(w, { type: 'onsale:shutdown' });
    const force = setTimeout(() => {
      logger.error('ingress processes did not stop in time; killing them', { timeout_ms: config.SHUTDOWN_TIMEOUT_MS });
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 2000);
    force.unref();
    const check = () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('ingress stopped');
        process.exit(0);
      }
    };
    cluster.on('exit', check);
    check();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function send(worker: Worker, message: ToWorker): void {
  if (worker.isConnected()) worker.send(message);
}

/**
 * In an ingress process of the cluster: runs `close` when the primary asks it to stop (the same
 * graceful close as a signal; a terminal's Ctrl-C also reaches every process, and `close` runs once).
 */
export function onPrimaryShutdown(close: () => Promise<void>, logger: Logger): void {
  process.on('message', (m: unknown) => {
    if (!isMessage(m) || m.type !== 'onsale:shutdown') return;
    logger.info('shutting down (asked by the primary)');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err: (err as Error).message });
        process.exit(1);
      },
    );
  });
}

/**
 * The metrics registry of an ingress process. Alone, a plain registry. In a cluster, it answers the
 * primary's collection with its own samples, and its `metrics()` (what `/metrics` sends) is the sum
 * over every ingress process, collected by the primary.
 */
export function ingressRegistry(): Registry {
  if (!cluster.isWorker || !process.send) return new Registry();
  const registry = new ClusterMemberRegistry();
  new AggregatorRegistry(); // installs the listener that answers the primary's collection
  AggregatorRegistry.setRegistries([registry]);
  return registry;
}

class ClusterMemberRegistry extends Registry {
  override metrics(): Promise<string> {
    return askPrimaryForMetrics();
  }
}

const pending = new Map<string, { resolve: (text: string) => void; reject: (err: Error) => void }>();
let listening = false;

function askPrimaryForMetrics(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on('message', (m: unknown) => {
      if (!isMessage(m) || m.type !== 'onsale:metrics-res') return;
      const res = m as Extract<ToWorker, { type: 'onsale:metrics-res' }>;
      const waiter = pending.get(res.id);
      if (!waiter) return;
      pending.delete(res.id);
      if (res.text !== undefined) waiter.resolve(res.text);
      else waiter.reject(new Error(res.error ?? 'no metrics'));
    });
  }
  const id = randomUUID();
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('metrics: the primary did not answer'));
    }, 5000);
    timer.unref();
    pending.set(id, {
      resolve: (t) => {
        clearTimeout(timer);
        resolve(t);
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
    process.send!({ type: 'onsale:metrics-req', id } satisfies ToPrimary);
  });
}
