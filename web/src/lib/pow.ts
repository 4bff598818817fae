import type { Proof } from '../../../shared/contracts/fair-onsale';
import type { Api } from './api';
import type { PowMessage, PowRequest } from './pow-worker';

interface Challenge {
  challenge: string;
  bits: number;
  expires_at: string;
}

/**
 * The proof of work an event asks for before booking (issue 12): fetches the challenge and, when
 * `bits` > 0, solves it in a Web Worker. `onProgress` gets a rough share of the expected work (0–1).
 * Resolves to undefined when the event asks for none.
 */
export async function solveProof(
  api: Api,
  eventId: string,
  onProgress: (share: number) => void,
): Promise<Proof | undefined> {
  const c = await api<Challenge>('GET', `/v1/events/${eventId}/challenge`);
  if (!c.bits) return undefined;
  const expected = 2 ** c.bits;
  const worker = new Worker(new URL('./pow-worker.ts', import.meta.url), { type: 'module' });
  try {
    const nonce = await new Promise<string>((resolve, reject) => {
      worker.onerror = (e) => reject(new Error(e.message || 'The proof of work failed.'));
      worker.onmessage = (m: MessageEvent<PowMessage>) => {
        if (m.data.type === 'done') resolve(m.data.nonce);
        else onProgress(Math.min(0.99, m.data.tries / expected));
      };
      worker.postMessage({ challenge: c.challenge, bits: c.bits } satisfies PowRequest);
    });
    onProgress(1);
    return { challenge: c.challenge, nonce };
  } finally {
    worker.terminate();
  }
}
