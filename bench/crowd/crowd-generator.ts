import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import { signToken } from '../../shared/auth';
import type { ClientToServerEvents, ServerToClientEvents, WatchAck } from '../../shared/contracts/socket';
import { createPoster } from '../load/http-post';
import { OutcomeTracker } from '../load/outcome-tracker';
import type { CrowdCommand, CrowdJob, CrowdMessage, CrowdPart } from './crowd-job';
import { LeanWatcher } from './lean-watcher';

/**
 * One crowd load-generator process (see CrowdJob). Forked by the orchestrator with the job in
 * BENCH_CROWD_JOB; talks to it over IPC: 'ready' once connected, runs on 'go', 'done' with its
 * figures, exits on 'close'.
 */
type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const CONNECT_BATCH = 200;
const job = JSON.parse(process.env.BENCH_CROWD_JOB ?? '{}') as CrowdJob;
const send = (m: CrowdMessage) => new Promise<void>((r) => process.send!(m, () => r()));
const commands: Array<(c: CrowdCommand) => void> = [];
process.on('message', (c: CrowdCommand) => commands.shift()?.(c));
const next = () => new Promise<CrowdCommand>((r) => commands.push(r));

const tracker = new OutcomeTracker();
let counting = false;
/** Why sockets were disconnected while the crowd ran (socket.io's reason: ping timeout, server disconnect…). */
const disconnects: Record<string, number> = {};

function connect(user: string, token: string, onSocket: (s: ClientSocket) => void): Promise<ClientSocket | null> {
  return new Promise((resolve) => {
    const socket: ClientSocket = ioClient(job.notifierUrl, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
    });
    onSocket(socket);
    socket.on('disconnect', (reason) => {
      if (counting) disconnects[reason] = (disconnects[reason] ?? 0) + 1;
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', () => {
      socket.close();
      resolve(null);
    });
  });
}

/** Connects the bookers' sockets, CONNECT_BATCH handshakes at a time. */
async function connectAll(users: string[], tokens: string[], onSocket: (s: ClientSocket) => void) {
  const sockets: Array<ClientSocket | null> = [];
  for (let i = 0; i < users.length; i += CONNECT_BATCH) {
    const batch = users.slice(i, i + CONNECT_BATCH).map((u, k) => connect(u, tokens[i + k]!, onSocket));
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function main(): Promise<void> {
  // Account ids are UUIDs, as real ones are (ingress may look an account's token version up by it).
  const bookerUsers = Array.from({ length: job.bookers }, () => randomUUID());
  const tokens = bookerUsers.map((u) => signToken(job.jwtSecret, { user_id: u, role: 'buyer' }));
  const poster = createPoster(job.httpConnections);
  const pool = job.mode === 'crowd' ? new pg.Pool({ connectionString: job.databaseUrl, max: 1 }) : null;
  let bookers: Array<ClientSocket | null> = [];
  const watchers: LeanWatcher[] = [];
  // Watchers whose socket was not accepted / whose event.watch was not.
  let watcherConnectFailures = 0;
  let watchFailures = 0;
  const t0 = performance.now();
  if (job.mode === 'crowd') {
    bookers = await connectAll(bookerUsers, tokens, (s) =>
      s.on('booking.result', (r) => tracker.onOutcome(r.booking_id, r.status, r.decided_at)),
    );
    // Idle watchers: a seat map open, each its own account; they speak the wire protocol lean (LeanWatcher).
    for (let i = 0; i < job.watchers; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, job.watchers - i) }, () =>
        LeanWatcher.open(
          job.notifierUrl,
          signToken(job.jwtSecret, { user_id: randomUUID(), role: 'buyer' }),
          job.eventId,
          60_000,
          (reason) => {
            if (counting) disconnects[reason] = (disconnects[reason] ?? 0) + 1;
          },
        ),
      );
      for (const w of await Promise.all(batch)) {
        if (w instanceof LeanWatcher) watchers.push(w);
        else if (w.failed === 'connect') watcherConnectFailures++;
        else watchFailures++;
      }
    }
  }
  // Watchers count as connected once watching (a watcher refused its watch is closed again).
  const connected = bookers.filter(Boolean).length + watchers.length;
  await send({
    type: 'ready',
    connect_ms: Math.round(performance.now() - t0),
    connected,
    connect_failures: bookers.length - bookers.filter(Boolean).length + watcherConnectFailures,
    watch_failures: watchFailures,
  });

  if ((await next()).type !== 'go') return;
  counting = true;
  for (const w of watchers) w.counting = true;
  const part: CrowdPart = {
    submitted: 0,
    accepted: 0,
    held: 0,
    rejected: 0,
    refused: 0,
    last_outcome_ms: 0,
    accept_ms: [],
    result_ms: [],
    decided_to_received_ms: [],
    http_errors: {},
    broadcasts_per_watcher: 0,
    silent_watchers: 0,
    disconnects: {},
    lost: 0,
    no_outcome: 0,
    conflicting_outcomes: 0,
    repeated_announcements: 0,
    not_durable_as_announced: 0,
  };
  const err = (key: string) => (part.http_errors[key] = (part.http_errors[key] ?? 0) + 1);
  const start = performance.now();
  const end = start + job.seconds * 1000;
  const loop = async (i: number) => {
    const socket = bookers[i];
    if (job.mode === 'crowd' && !socket) return;
    // A booker whose socket was dropped stops: its outcomes could not reach it (counted in `disconnects`).
    while (performance.now() < end && (!socket || socket.connected)) {
      part.submitted++;
      const t = performance.now();
      const res = await poster
        .post(
          `${job.httpUrl}/v1/bookings`,
          { authorization: `Bearer ${tokens[i]!}` },
          { event_id: job.eventId, quantity: 1 },
          30_000,
        )
        .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      if (res instanceof Error || res.status !== 202) {
        err(res instanceof Error ? res.message : String(res.status));
        part.refused++;
        continue;
      }
      part.accepted++;
      part.accept_ms.push(performance.now() - t);
      if (!socket) continue;
      const { booking_id: id } = JSON.parse(res.body) as { booking_id: string };
      tracker.accept(id);
      const outcome = tracker.expect(id, job.drainSeconds * 1000);
      // A client retries a failed watch (as a real client would); each failure is counted.
      for (let attempt = 0; attempt < 3; attempt++) {
        const ack = (await socket
          .timeout(30_000)
          .emitWithAck('booking.watch', { booking_id: id })
          .catch((): null => null)) as WatchAck | null;
        if (ack?.ok) break;
        err(`watch_${ack ? ack.code : 'timeout'}`);
      }
      const status = await outcome;
      if (status !== 'held' && status !== 'rejected') continue; // lost: counted by the tracker's check
      const done = performance.now();
      part.result_ms.push(done - t);
      part.last_outcome_ms = Math.max(part.last_outcome_ms, done - start);
      if (status === 'held') part.held++;
      else part.rejected++;
    }
  };
  await Promise.all(bookerUsers.map((_, i) => loop(i)));
  // Watchers only: they listen for as long as the bookers of the other processes book.
  if (job.bookers === 0 && (await next()).type !== 'stop') return;
  if (job.mode === 'floor') part.last_outcome_ms = performance.now() - start;
  counting = false;
  for (const w of watchers) w.counting = false;
  part.decided_to_received_ms = tracker.decidedToReceived;
  part.broadcasts_per_watcher = watchers.reduce((most, w) => Math.max(most, w.received), 0);
  part.disconnects = disconnects;
  part.silent_watchers = watchers.filter((w) => w.received === 0).length;
  if (pool) Object.assign(part, await tracker.check(pool, job.eventId));
  await send({ type: 'done', result: part });
  await next();
  poster.close();
  for (const s of bookers) s?.close();
  for (const w of watchers) w.close();
  await pool?.end();
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    await send({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  },
);
