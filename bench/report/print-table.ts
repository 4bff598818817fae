import type { CrowdResults, CrowdRunResult } from '../crowd/measure-crowd';
import type { BenchResults } from './results';

const pad = (cols: Array<string | number>, widths: number[]) =>
  cols
    .map((c, i) => String(c).padEnd(widths[i] ?? 10))
    .join(' ')
    .trimEnd();
const cores = (c: Record<string, number> | undefined) =>
  Object.entries(c ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The run as a plain-text table (the README's benchmark section pastes it). */
export function formatTable(r: BenchResults): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(
    `Onsale benchmark (${String(r.settings.mode)}) — ${String(m.cpus)} × ${String(m.cpu_model)}, ${String(m.memory_gb)} GB, node ${String(m.node)}, load average ${String(m.loadavg_1m_at_start)} → ${String(m.loadavg_1m_at_end)}; ${String(r.settings.clients)} closed-loop clients for every contender`,
  );
  if (r.broker_ceiling) {
    const c = r.broker_ceiling;
    lines.push(
      `broker_ceiling: ${c.msgs_per_s} msgs/s (${c.message_bytes}-byte persistent messages, publish with confirms, window ${c.confirm_window}, + consume with ack, prefetch ${c.prefetch}, one quorum queue; best of ${c.trials.map((t) => `${t.msgs_per_s} (w${t.window}/p${t.prefetch})`).join(', ')}; publish alone ${c.publish_only_msgs_per_s} msgs/s)`,
    );
  }
  const widths = [20, 10, 11, 8, 8, 7, 8, 9, 5, 8, 8, 12];
  for (const [name, s] of Object.entries(r.scenarios)) {
    lines.push(
      '',
      `${name}: ${s.inventory} ${name === 'ga_hot' ? 'units' : 'seats'}, ${s.requests} requests in the stream`,
    );
    lines.push(
      pad(
        [
          'contender',
          'decided/s',
          'to sell-out',
          'p50 ms',
          'p99 ms',
          'held',
          'rejected',
          'oversold',
          'lost',
          'retries',
          'gave_up',
          'stream done',
        ],
        widths,
      ),
    );
    const p = s.pipeline;
    if (p)
      lines.push(
        pad(
          [
            'pipeline (Onsale)',
            p.decided_per_s,
            p.to_sellout_decided_per_s,
            p.p50_ms,
            p.p99_ms,
            p.held,
            p.rejected,
            p.oversold,
            p.lost,
            '-',
            '-',
            `${p.requests}/${s.requests}`,
          ],
          widths,
        ),
      );
    for (const [b, x] of Object.entries(s.baselines)) {
      const done = `${x.requests}/${s.requests}${x.completed ? '' : ` (${x.time_box_s} s box)`}`;
      lines.push(
        pad(
          [
            b,
            x.decided_per_s,
            x.to_sellout_decided_per_s,
            x.p50_ms,
            x.p99_ms,
            x.held,
            x.rejected,
            x.oversold,
            x.lost,
            x.retries,
            x.gave_up,
            done,
          ],
          widths,
        ),
      );
    }
    if (p) {
      lines.push(
        `  worker per batch (${p.worker_batch.count} batches, ${p.worker_batch_messages_mean} msgs avg): dequeue→committed p50 ${p.worker_commit.p50_ms} / p99 ${p.worker_commit.p99_ms} ms; ` +
          `dequeue→committed→announced→acked p50 ${p.worker_batch.p50_ms} / p99 ${p.worker_batch.p99_ms} ms`,
      );
      lines.push(
        `  per booking, worker decision → outcome received: p50 ${p.decided_to_received.p50_ms} / p99 ${p.decided_to_received.p99_ms} ms; cores used: ${cores(p.cpu_cores)}`,
      );
      for (const l of p.latency_profile) {
        lines.push(
          `  latency profile, ${l.clients} in flight (${l.inventory} ${name === 'ga_hot' ? 'units' : 'seats'}): ${l.decided_per_s} decided/s, p50 ${l.p50_ms} / p99 ${l.p99_ms} ms; ` +
            `worker batch p50 ${l.worker_batch.p50_ms} / p99 ${l.worker_batch.p99_ms} ms (${l.worker_batch_messages_mean} msgs avg); oversold ${l.oversold}, lost ${l.lost}`,
        );
      }
    }
  }
  const e = r.http_end_to_end;
  if (e) {
    lines.push(
      '',
      `http_end_to_end: ${e.clients} Socket.IO clients connected (in ${e.connect_s} s), each POSTs /v1/bookings at once and waits for booking.result; GA, ${e.inventory_units} units`,
    );
    lines.push(
      `  ${e.decided_per_s} decided/s, submit→result p50 ${e.p50_ms} / p99 ${e.p99_ms} ms (POST→202 p50 ${e.accept.p50_ms} / p99 ${e.accept.p99_ms} ms), held ${e.held}, rejected ${e.rejected}, ` +
        `oversold ${e.oversold}, lost ${e.lost}, refused ${e.refused}${Object.keys(e.http_errors).length ? ` ${JSON.stringify(e.http_errors)}` : ''}`,
    );
    lines.push(
      `  HTTP through ${e.http_connections} keep-alive connections; kernel accept-queue overflows meanwhile: ${e.listen_overflows ?? 'n/a'}; cores used: ${cores(e.cpu_cores)}`,
    );
  }
  if (r.crowd) lines.push(...crowdLines(r.crowd));
  if (r.targets?.length) {
    lines.push('', 'targets:');
    for (const t of r.targets) lines.push(`  [${t.met ? 'met' : 'NOT MET'}] ${t.target}: ${t.measured}`);
  }
  if (r.errors?.length) lines.push('', 'errors:', ...r.errors.map((x) => `  ${x}`));
  return lines.join('\n');
}

const us = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

function runLines(label: string, x: CrowdRunResult): string[] {
  const errors = Object.keys(x.http_errors).length ? ` ${JSON.stringify(x.http_errors)}` : '';
  return [
    `${label}: ${x.bookers} bookers${x.watchers ? ` + ${x.watchers} idle watchers` : ''} (${x.connected} connected in ${x.connect_s} s over ${x.generators} generator processes${x.connect_failures ? `, ${x.connect_failures} failed` : ''}), ${x.seconds} s of submissions`,
    `  ${x.decided_per_s} decided/s (${x.decided} decided, held ${x.held}, rejected ${x.rejected}, refused ${x.refused}${errors}), oversold ${x.oversold}, lost ${x.lost}${Object.keys(x.disconnects).length ? `; sockets dropped during the run: ${JSON.stringify(x.disconnects)}` : ''}`,
    `  submit→202 p50 ${x.accept.p50_ms} / p99 ${x.accept.p99_ms} ms; submit→result p50 ${x.result.p50_ms} / p99 ${x.result.p99_ms} ms; worker decided_at→received p50 ${x.decided_to_received.p50_ms} / p99 ${x.decided_to_received.p99_ms} ms`,
    `  CPU µs per accepted booking: ${us(x.cpu_us_per_booking)} (CPU seconds: ${us(x.cpu_s)})`,
    ...(x.watchers
      ? [
          `  notifier: ${x.notifier_rss_mb_before} → ${x.notifier_rss_mb_connected} MB RSS once connected (${x.notifier_rss_kb_per_socket} KB per socket); ${x.broadcasts_per_watcher} broadcasts per watcher, ${x.notifier_us_per_broadcast ?? '-'} µs notifier CPU per broadcast; silent watchers ${x.silent_watchers}`,
        ]
      : []),
  ];
}

/** Issue 10's crowd figures. */
export function crowdLines(c: CrowdResults): string[] {
  const lines: string[] = [''];
  if (c.floor) {
    const f = c.floor;
    lines.push(
      `crowd floor, bare Express (JSON body + HS256 verify + 202): ${f.requests_per_s} requests/s, ${f.cpu_us_per_request.bare_express} µs CPU per request (load generator ${f.cpu_us_per_request.load_generator} µs); ${f.bookers} clients, ${f.http_connections} keep-alive connections, p50 ${f.accept.p50_ms} / p99 ${f.accept.p99_ms} ms`,
    );
  }
  if (c.sustained) lines.push(...runLines('crowd, sustained', c.sustained));
  if (c.with_watchers) lines.push(...runLines('crowd with idle watchers', c.with_watchers));
  if (c.sockets) lines.push(...runLines(`crowd, ${c.sockets.sockets_target} sockets asked on one notifier`, c.sockets));
  return lines;
}
