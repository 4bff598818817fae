import { randomUUID } from 'node:crypto';
import { io as ioClient, type Socket } from 'socket.io-client';
import pLimit from 'p-limit';
import { signToken } from '../../../shared/auth';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/contracts/socket';
import { sleep } from './roles';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One accepted booking as its buyer saw it: the 202, then every `booking.result` pushed. */
export interface Tracked {
  id: string;
  user: string;
  eventId: string;
  submittedAt: number;
  acceptedAt: number;
  pushes: Array<{ status: string; seats?: string[]; quantity?: number; at: number }>;
  watched: boolean;
}

/** How each POST /v1/bookings ended, after the client's retries. */
export interface HttpTally {
  sent: number;
  accepted: number;
  /** Answers seen on the way (a request may see several before its last). */
  statuses: Record<string, number>;
  /** 503s without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** 500s and other 5xx that are not a 503 with Retry-After. */
  unexplained5xx: number;
  /** Requests that got no answer at all within the client timeout. */
  hangs: number;
  /** When (epoch ms) the attempts that hung were sent. */
  hangSentAt: number[];
  /** Connection refused / reset (the process behind the port was gone). */
  networkErrors: number;
  networkErrorCauses: Record<string, number>;
  /** Sends dropped because the load generator itself fell more than a second behind (a starved CPU). */
  skipped: number;
  /** Requests the client gave up on without a final answer. */
  unresolved: number;
  /** Final 4xx answers (e.g. a 409 for a key still in progress past the retry window). */
  final4xx: Record<string, number>;
}

const RETRYABLE = new Set([503, 502, 504, 409]);
/**
 * An attempt with no answer within this is a **hang** (a failure), and the client retries it with its
 * Idempotency-Key. A timing bound, so generous: on two cores shared by every role, the private
 * services and this process (load average 20 and more), a healthy ingress can take well over 15 s.
 */
const HTTP_TIMEOUT_MS = Number(process.env.FAULTS_HTTP_TIMEOUT_S ?? 30) * 1000;
/** A request still without a final answer this long after it was first sent is given up (a failure). */
const GIVE_UP_MS = Number(process.env.FAULTS_GIVE_UP_S ?? 120) * 1000;

/**
 * A few hundred buyers, each with a Socket.IO connection that reconnects on its own and, on every
 * (re)connect, watches again each of its bookings that has no result yet, as the web page does.
 * Their HTTP client retries a 503 after Retry-After, and a lost connection after a second, with the
 * same Idempotency-Key, so a request that was in fact queued is learned, not repeated.
 */
export class Crowd {
  readonly users: string[];
  readonly tracked = new Map<string, Tracked>();
  /** Watch acks that failed since the last reset, by code. */
  watchFailures: Record<string, number> = {};
  private readonly sockets = new Map<string, ClientSocket>();
  private readonly tokens = new Map<string, string>();
  private closed = false;

  private cursor = 0;

  constructor(
    private readonly baseUrl: () => string,
    private readonly notifierUrl: () => string,
    private readonly secret: string,
    size: number,
    prefix = 'buyer',
  ) {
    this.users = Array.from({ length: size }, (_, i) => `${prefix}-${i}`);
  }

  token(user: string): string {
    let t = this.tokens.get(user);
    if (!t) this.tokens.set(user, (t = signToken(this.secret, { user_id: user, role: 'buyer' })));
    return t;
  }

  async connect(): Promise<void> {
    const limit = pLimit(50);
    await Promise.all(this.users.map((u) => limit(() => this.connectOne(u))));
  }

  /**
   * Sends `rate` booking requests a second for `seconds`, round-robin over the crowd and `events`.
   * Each request is followed to its final answer (retries included) before the promise resolves.
   */
  async load(opts: {
    events: string[];
    rate: number;
    seconds: number;
    tally: HttpTally;
    giveUpAfterMs?: number;
    until?: () => boolean;
  }): Promise<void> {
    const { events, rate, seconds, tally } = opts;
    const total = Math.round(rate * seconds);
    let started = Date.now();
    const inFlight: Promise<void>[] = [];
    let skipped = 0;
    // At least `seconds`, and on until `until()` says so (e.g. a few seconds past the end of an outage).
    for (let i = 0; i < total || (opts.until && !opts.until()); i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      // Always yield: on a starved CPU a loop that only "catches up" would never let its own requests run.
      if (wait > 0) await sleep(wait);
      else await new Promise<void>((r) => setImmediate(r));
      // Open loop, but no burst: when more than a second behind, drop the sends missed and go on from now.
      if (wait < -1000) {
        const missed = Math.floor((-wait * rate) / 1000);
        skipped += missed;
        started += (missed * 1000) / rate;
      }
      const user = this.users[this.cursor++ % this.users.length]!;
      const body = { event_id: events[i % events.length]!, quantity: 1 + (i % 3) };
      inFlight.push(this.submit(user, body, tally, opts.giveUpAfterMs ?? GIVE_UP_MS));
    }
    await Promise.all(inFlight);
    tally.skipped += skipped;
  }

  /** Bookings accepted for these events. */
  bookings(events: string[]): Tracked[] {
    return [...this.tracked.values()].filter((t) => events.includes(t.eventId));
  }

  /** Starts counting watch failures afresh (each fault reports its own). */
  resetWatchFailures(): void {
    this.watchFailures = {};
  }

  close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets.values()) s.close();
    return Promise.resolve();
  }

  private connectOne(user: string): Promise<void> {
    const s: ClientSocket = ioClient(this.notifierUrl(), {
      auth: { token: this.token(user) },
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionDelay: 250,
      reconnectionDelayMax: 4000,
      randomizationFactor: 0.3,
    });
    this.sockets.set(user, s);
    s.on('booking.result', (r) => {
      const t = this.tracked.get(r.booking_id);
      t?.pushes.push({ status: r.status, seats: r.seats, quantity: r.quantity, at: Date.now() });
    });
    s.on('connect', () => {
      for (const t of this.tracked.values()) if (t.user === user && t.pushes.length === 0) void this.watch(t);
    });
    return new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', (err) => (s.active ? undefined : reject(err)));
    });
  }

  /** Watches a booking; a refused or unanswered watch is retried a second later (while the booking has no result). */
  private async watch(t: Tracked): Promise<void> {
    const s = this.sockets.get(t.user)!;
    while (!this.closed && t.pushes.length === 0) {
      if (!s.connected) return; // the 'connect' handler watches again
      try {
        const ack = await s.timeout(5000).emitWithAck('booking.watch', { booking_id: t.id });
        if (ack.ok) {
          t.watched = true;
          return;
        }
        this.watchFailures[ack.code] = (this.watchFailures[ack.code] ?? 0) + 1;
      } catch {
        this.watchFailures.timeout = (this.watchFailures.timeout ?? 0) + 1;
      }
      await sleep(1000);
    }
  }

  private async submit(
    user: string,
    body: { event_id: string; quantity: number },
    tally: HttpTally,
    giveUpAfterMs: number,
  ): Promise<void> {
    tally.sent++;
    const key = randomUUID();
    const submittedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      // Exponential backoff with jitter (0.5 s … 8 s), never sooner than Retry-After: a crowd that
      // retried every second would multiply the load by the length of the outage.
      let retryInMs = Math.min(8000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
      try {
        const res = await fetch(`${this.baseUrl()}/v1/bookings`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.token(user)}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        });
        const text = await res.text();
        tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
        if (res.status === 202) {
          const id = (JSON.parse(text) as { booking_id: string }).booking_id;
          tally.accepted++;
          if (!this.tracked.has(id)) {
            const t: Tracked = {
              id,
              user,
              eventId: body.event_id,
              submittedAt,
              acceptedAt: Date.now(),
              pushes: [],
              watched: false,
            };
            this.tracked.set(id, t);
            void this.watch(t);
          }
          return;
        }
        if (res.status === 503) {
          const ra = res.headers.get('retry-after');
          if (ra === null) tally.unavailableWithoutRetryAfter++;
          else retryInMs = Math.max(retryInMs, Number(ra) * 1000);
        } else if (res.status >= 500) {
          tally.unexplained5xx++;
        }
        if (!RETRYABLE.has(res.status) && res.status < 500) {
          tally.final4xx[res.status] = (tally.final4xx[res.status] ?? 0) + 1;
          return;
        }
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') {
          tally.hangs++;
          if (tally.hangSentAt.length < 1000) tally.hangSentAt.push(Date.now() - HTTP_TIMEOUT_MS);
        } else {
          tally.networkErrors++;
          const cause = ((err as Error).cause as { code?: string } | undefined)?.code ?? (err as Error).message;
          tally.networkErrorCauses[cause] = (tally.networkErrorCauses[cause] ?? 0) + 1;
        }
      }
      if (Date.now() - submittedAt + retryInMs > giveUpAfterMs) {
        tally.unresolved++;
        return;
      }
      await sleep(retryInMs);
    }
  }
}

export function newTally(): HttpTally {
  return {
    sent: 0,
    skipped: 0,
    hangSentAt: [],
    accepted: 0,
    statuses: {},
    unavailableWithoutRetryAfter: 0,
    unexplained5xx: 0,
    hangs: 0,
    networkErrors: 0,
    networkErrorCauses: {},
    unresolved: 0,
    final4xx: {},
  };
}
