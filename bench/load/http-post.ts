import { readFileSync } from 'node:fs';
import http from 'node:http';

/**
 * POSTs JSON through a keep-alive agent with a bounded number of connections, as a load balancer in
 * front of ingress does: thousands of buyers, a few hundred pooled connections to the process. (Each
 * buyer opening its own connection at once would measure the kernel's accept queue instead: see
 * README, Benchmark.)
 */
export function createPoster(maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    post(
      url: string,
      headers: Record<string, string>,
      body: unknown,
      timeoutMs: number,
    ): Promise<{ status: number; body: string }> {
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise((resolve, reject) => {
        const req = http.request(
          url,
          {
            method: 'POST',
            agent,
            headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** TcpExt ListenOverflows: connections the kernel dropped because a listener's accept queue was full (Linux). */
export function listenOverflows(): number | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[i]!.split(/\s+/);
    const values = lines[i + 1]!.split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return null;
  }
}
