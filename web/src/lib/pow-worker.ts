/**
 * Solves a proof-of-work challenge off the main thread: finds a nonce so that
 * SHA-256(`challenge:nonce`) starts with `bits` zero bits. Posts progress every 2,000 tries.
 */
export interface PowRequest {
  challenge: string;
  bits: number;
}
export type PowMessage = { type: 'progress'; tries: number } | { type: 'done'; nonce: string; tries: number };

function leadingZeroBits(b: Uint8Array): number {
  let n = 0;
  for (const byte of b) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

const scope = self as unknown as {
  onmessage: ((m: MessageEvent<PowRequest>) => void) | null;
  postMessage(m: PowMessage): void;
};
const enc = new TextEncoder();
scope.onmessage = (m) => void solve(m);
async function solve(m: MessageEvent<PowRequest>): Promise<void> {
  const { challenge, bits } = m.data;
  for (let i = 0; ; i++) {
    const nonce = i.toString(36);
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(`${challenge}:${nonce}`)));
    if (leadingZeroBits(hash) >= bits) {
      scope.postMessage({ type: 'done', nonce, tries: i + 1 } satisfies PowMessage);
      return;
    }
    if (i % 2000 === 1999) scope.postMessage({ type: 'progress', tries: i + 1 } satisfies PowMessage);
  }
}
