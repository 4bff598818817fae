import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import { signToken } from '../../shared/auth';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/contracts/socket';
import { closedLoop, type Outcome } from '../closed-loop';
import { round, summarize } from '../stats';
import type { HttpJob, HttpLoadResult } from './jobs';
import { OutcomeTracker } from './outcome-tracker';
import { dbNameOf, withCpu } from '../report/cpu-usage';
import { createPoster, listenOverflows } from './http-post';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const CONNECT_BATCH = 200;
const OUTCOME_TIMEOUT_MS = 60_000;

interface Buyer {
  user: string;
  token: string;
  socket: ClientSocket;
}

/**
 * The whole product path: thousands of buyers connected to the notifier over Socket.IO, all clicking
 * "book" at once. Each buyer POSTs /v1/bookings to ingress, watches the booking it got on its socket
 * (`booking.watch`) and waits for `booking.result`. Latency is POST sent → result pushed. HTTP goes
 * through a bounded keep-alive pool (`httpConnections`), as behind a load balancer.
 */
export async function loadHttp(job: HttpJob): Promise<HttpLoadResult> {
  const pool = new pg.Pool({ connectionString: job.databaseUrl, max: 2 });
  const tracker = new OutcomeTracker();
  const buyers: Buyer[] = [];
  const poster = createPoster(job.httpConnections);
  try {
    const connectStart = performance.now();
    for (let i = 0; i < job.clients; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, job.clients - i) }, (_, k) =>
        connect(job, `e2e-${i + k}`, tracker),
      );
      buyers.push(...(await Promise.all(batch)));
    }
    const connectS = round((performance.now() - connectStart) / 1000, 2);

    const overflowsBefore = listenOverflows();
    const accept: number[] = [];
    const httpErrors: Record<string, number> = {};
    const requests = buyers.flatMap((b) =>
      Array.from({ length: job.perClient }, (_, n) => ({
        buyer: b,
        quantity: 1 + ((Number(b.user.slice(4)) + n) % 4),
      })),
    );
    const submit = async ({ buyer, quantity }: { buyer: Buyer; quantity: number }): Promise<Outcome> => {
      const t0 = performance.now();
      const res = await poster
        .post(
          `${job.ingressUrl}/v1/bookings`,
          { authorization: `Bearer ${buyer.token}` },
          { event_id: job.eventId, quantity },
          30_000,
        )
        .catch((err: unknown) => err as Error);
      if (res instanceof Error || res.status !== 202) {
        const key = res instanceof Error ? res.message : String(res.status);
        httpErrors[key] = (httpErrors[key] ?? 0) + 1;
        return 'refused';
      }
      accept.push(performance.now() - t0);
      const { booking_id: bookingId } = JSON.parse(res.body) as { booking_id: string };
      tracker.accept(bookingId);
      const outcome = tracker.expect(bookingId, OUTCOME_TIMEOUT_MS);
      // A client retries a failed watch (as a real client would); each failure is counted.
      for (let attempt = 0; attempt < 3; attempt++) {
        const ack = (await buyer.socket
          .timeout(30_000)
          .emitWithAck('booking.watch', { booking_id: bookingId })
          .catch(() => null)) as { ok?: boolean; code?: string } | null;
        if (ack?.ok) break;
        const key = `watch_${ack ? ack.code : 'timeout'}`;
        httpErrors[key] = (httpErrors[key] ?? 0) + 1;
      }
      const status = await outcome;
      return status === 'held' || status === 'rejected' ? status : 'lost';
    };
    // Every buyer at once (one request in flight per buyer): the on-sale burst.
    const { result, cpu_cores } = await withCpu(
      job.cpuPids,
      () => closedLoop(requests, job.clients, job.maxSeconds, submit),
      dbNameOf(job.databaseUrl),
    );
    const overflowsAfter = listenOverflows();
    await new Promise((r) => setTimeout(r, 1000));
    const checks = await tracker.check(pool, job.eventId);
    return {
      ...result,
      ...checks,
      clients: job.clients,
      connect_s: connectS,
      accept: summarize(accept),
      http_errors: httpErrors,
      cpu_cores,
      http_connections: job.httpConnections,
      listen_overflows: overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
    };
  } finally {
    poster.close();
    for (const b of buyers) b.socket.close();
    await pool.end();
  }
}

function connect(job: HttpJob, user: string, tracker: OutcomeTracker): Promise<Buyer> {
  const token = signToken(job.jwtSecret, { user_id: user, role: 'buyer' });
  return new Promise((resolve, reject) => {
    const socket: ClientSocket = ioClient(job.notifierUrl, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 20_000,
    });
    // Only results for bookings this buyer watches are pushed to it; the tracker ignores repeats.
    socket.on('booking.result', (r) => tracker.onOutcome(r.booking_id, r.status, r.decided_at));
    socket.once('connect', () => resolve({ user, token, socket }));
    socket.once('connect_error', (err) => reject(new Error(`socket connect: ${err.message}`)));
  });
}
