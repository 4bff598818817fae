import type { BenchIdentity } from '../setup/bench-identity';
import type { BenchEnv } from '../setup/create-bench-env';
import { createReadyEvent } from '../setup/create-ready-event';
import { runLoadGenerator } from '../setup/run-load-generator';
import { startRole, stopRole, type RunningRole } from '../setup/roles';
import { pipelineOversold } from '../report/pipeline-oversold';
import type { HttpLoadResult } from '../load/jobs';
import type { ScenarioSpec } from '../scenarios';
import type { BenchSettings } from '../settings';

export interface HttpResult extends HttpLoadResult {
  inventory_units: number;
  oversold: number;
}

/**
 * The full product path on a GA on-sale sized to the number of socket clients (2.2× more units asked
 * for than there are): worker, ingress and notifier as separate processes.
 */
export async function measureHttp(b: BenchIdentity, env: BenchEnv, s: BenchSettings): Promise<HttpResult> {
  const roles: RunningRole[] = [];
  try {
    const worker = await startRole('booking-workers/main.ts', b.config, 'WORKER_PORT', s.workerEnv);
    roles.push(worker);
    const ingress = await startRole('ingress/main.ts', b.config, 'PORT');
    roles.push(ingress);
    const notifier = await startRole('notifier/main.ts', b.config, 'NOTIFIER_PORT');
    roles.push(notifier);
    const requests = s.http.clients * s.http.perClient;
    const capacity = Math.round((requests * 2.5) / 2.2);
    const spec: ScenarioSpec = {
      name: 'ga_hot',
      kind: 'general_admission',
      capacity,
      sections: 0,
      rowsPerSection: 0,
      seatsPerRow: 0,
      requests,
    };
    const ev = await createReadyEvent(env, b.config.PARTITIONS, spec);
    const load = await runLoadGenerator(
      {
        mode: 'http',
        ingressUrl: ingress.url,
        notifierUrl: notifier.url,
        databaseUrl: b.config.DATABASE_URL,
        jwtSecret: b.config.JWT_SECRET,
        eventId: ev.id,
        clients: s.http.clients,
        perClient: s.http.perClient,
        httpConnections: s.http.connections,
        maxSeconds: 90,
        cpuPids: { worker: worker.child.pid, ingress: ingress.child.pid, notifier: notifier.child.pid },
      },
      240,
    );
    return { ...load, inventory_units: capacity, oversold: await pipelineOversold(env.pool, ev.id) };
  } finally {
    for (const r of roles.reverse()) await stopRole(r);
  }
}
