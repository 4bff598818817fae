import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The Grafana dashboard and the Prometheus / compose files cannot be run here (no Docker): check that
 * they parse, that every Onsale metric the dashboard queries is one the roles register, and that
 * Prometheus scrapes every role with the metrics token.
 */
const root = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

/** Every `onsale_*` metric name registered in the roles' source. */
function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of read(p).matchAll(/name: '(onsale_[a-z_]+)'/g)) names.add(m[1]!);
    }
  };
  for (const d of ['ingress', 'booking-workers', 'notifier', 'shared']) walk(d);
  return names;
}

describe('monitoring configuration', () => {
  const dashboard = JSON.parse(read('ops/grafana/dashboards/onsale.json')) as {
    uid: string;
    panels: Array<{ id: number; type: string; targets?: Array<{ expr: string; datasource: { uid: string } }> }>;
  };

  it('queries only metrics the roles register (histograms by their _bucket series)', () => {
    const known = registeredMetrics();
    expect(known.has('onsale_event_parked')).toBe(true);
    const used = dashboard.panels
      .flatMap((p) => p.targets ?? [])
      .flatMap((t) => [...t.expr.matchAll(/\b(onsale_[a-z_]+)/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(known, name).toContain(name.replace(/_bucket$/, ''));
  });

  it('has unique panel ids and every query on the provisioned Prometheus data source', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const datasource = parse(read('ops/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    const uid = datasource.datasources[0]!.uid;
    for (const t of dashboard.panels.flatMap((p) => p.targets ?? [])) expect(t.datasource.uid).toBe(uid);
  });

  it('scrapes every role with the metrics token, and compose runs Prometheus and Grafana with the files they read', () => {
    const prom = parse(read('ops/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ job_name: string; authorization?: { credentials_file: string } }>;
    };
    const jobs = new Map(prom.scrape_configs.map((j) => [j.job_name, j]));
    for (const role of ['ingress', 'worker', 'notifier'])
      expect(jobs.get(role)?.authorization?.credentials_file).toBe('/run/secrets/metrics_token');
    expect(jobs.has('rabbitmq')).toBe(true);

    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, { volumes?: string[]; secrets?: string[]; ports?: string[] }>;
      secrets: Record<string, unknown>;
    };
    expect(compose.services.prometheus?.volumes).toContain(
      './ops/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
    expect(compose.services.prometheus?.secrets).toContain('metrics_token');
    expect(compose.secrets.metrics_token).toBeDefined();
    expect(compose.services.grafana?.volumes).toEqual(
      expect.arrayContaining([
        './ops/grafana/provisioning:/etc/grafana/provisioning:ro',
        './ops/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    // Neither is published beyond the host's loopback.
    for (const s of ['prometheus', 'grafana'])
      for (const p of compose.services[s]?.ports ?? []) expect(p.startsWith('127.0.0.1:')).toBe(true);
  });
});
