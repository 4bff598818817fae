import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import pg from 'pg';
import { ConfirmPublisher } from '../../shared/amqp/publisher';
import { names } from '../../shared/amqp/topology';
import type { BookingResults } from '../../shared/contracts/messages';
import { closedLoop, type Outcome } from '../closed-loop';
import { requestStream, type BenchRequest } from '../scenarios';
import { summarize } from '../stats';
import { dbNameOf, withCpu } from '../report/cpu-usage';
import { bookCommand } from './book-command';
import type { PipelineJob, PipelineLoadResult } from './jobs';
import { OutcomeTracker } from './outcome-tracker';

const OUTCOME_TIMEOUT_MS = 30_000;
/** After the last outcome, how long late re-announcements are still counted. */
const SETTLE_MS = 1000;

/**
 * Onsale's pipeline without HTTP: `book` commands published with confirms straight into the event's
 * partition queue (as ingress would), outcomes read from `booking.results.<event>` on the
 * booking-events exchange through an exclusive queue of our own. Latency is submit → outcome.
 */
export async function loadPipeline(job: PipelineJob): Promise<PipelineLoadResult> {
  const conn = await amqp.connect(job.amqpUrl);
  const pool = new pg.Pool({ connectionString: job.databaseUrl, max: 2 });
  try {
    const publisher = await ConfirmPublisher.open(conn, job.prefix);
    const sub = await conn.createChannel();
    const { queue } = await sub.assertQueue('', { exclusive: true, autoDelete: true });
    await sub.bindQueue(queue, names(job.prefix).bookingEvents, `booking.results.${job.eventId}`);
    const tracker = new OutcomeTracker();
    await sub.consume(
      queue,
      (msg) => {
        if (!msg) return;
        for (const r of (JSON.parse(msg.content.toString()) as BookingResults).results)
          tracker.onOutcome(r.booking_id, r.status, r.decided_at);
      },
      { noAck: true },
    );

    const stream = requestStream(job.spec);
    let messageBytes = 0;
    const submit = async (req: BenchRequest, i: number): Promise<Outcome> => {
      const bookingId = randomUUID();
      const outcome = tracker.expect(bookingId, OUTCOME_TIMEOUT_MS);
      const cmd = bookCommand(job.eventId, bookingId, req, i + 1);
      if (i === 0) messageBytes = Buffer.byteLength(JSON.stringify(cmd));
      try {
        await publisher.publishCommand(job.partition, cmd);
      } catch {
        tracker.forget(bookingId);
        return 'refused';
      }
      tracker.accept(bookingId);
      const status = await outcome;
      return status === 'held' || status === 'rejected' || status === 'refused' ? status : 'lost';
    };
    const { result, cpu_cores } = await withCpu(
      job.cpuPids,
      () => closedLoop(stream, job.clients, job.maxSeconds, submit),
      dbNameOf(job.databaseUrl),
    );
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const checks = await tracker.check(pool, job.eventId);
    return {
      ...result,
      ...checks,
      decided_to_received: summarize(tracker.decidedToReceived),
      message_bytes: messageBytes,
      cpu_cores,
    };
  } finally {
    await conn.close().catch(() => undefined);
    await pool.end();
  }
}
