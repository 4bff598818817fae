/**
 * `npm run bench:pow`: what the proof of work costs. Measures, in this Node process, the cost of
 * verifying a proof (what ingress pays per booking), the SHA-256 rate of a solver, and the solve time
 * per `bits` (measured up to 18 bits, averaged over several challenges; from 19 on, 2^bits / rate).
 * Run it alone: it is CPU-bound on one core.
 */
import { issueChallenge, powKey, proofDigest, solveChallenge, verifyProof } from '../shared/pow';

const key = powKey('bench-secret-of-16-chars');
const EVENT = '00000000-0000-4000-8000-000000000001';

function verifyCostUs(): number {
  const c = issueChallenge(key, EVENT, 'bench-user', 12, Date.now(), 600_000);
  const { nonce } = solveChallenge(c.challenge, 12);
  const rounds = 50_000;
  for (let i = 0; i < 5_000; i++)
    verifyProof(key, { challenge: c.challenge, nonce }, EVENT, 'bench-user', 12, Date.now());
  const t = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++)
    verifyProof(key, { challenge: c.challenge, nonce }, EVENT, 'bench-user', 12, Date.now());
  return Number(process.hrtime.bigint() - t) / 1000 / rounds;
}

function hashRate(): number {
  const c = issueChallenge(key, EVENT, 'bench-user', 20, Date.now(), 600_000).challenge;
  const n = 500_000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) proofDigest(c, String(i));
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
}

const rate = hashRate();
const verifyUs = verifyCostUs();
console.log(
  `verify: ${verifyUs.toFixed(2)} µs per proof (HMAC + SHA-256), ${Math.round(1e6 / verifyUs).toLocaleString('en')} per CPU-second`,
);
console.log(`solver: ${Math.round(rate).toLocaleString('en')} SHA-256/s in Node (one core, crypto.createHash per try)`);
console.log('bits | expected tries | measured mean (s) | expected at this rate (s) | 1,000 entries (CPU-hours)');
for (let bits = 8; bits <= 26; bits += 2) {
  const expected = 2 ** bits / rate;
  let measured = '';
  if (bits <= 18) {
    const samples = bits <= 14 ? 40 : 8;
    const t = process.hrtime.bigint();
    for (let i = 0; i < samples; i++)
      solveChallenge(issueChallenge(key, EVENT, `u${i}`, bits, Date.now(), 600_000).challenge, bits);
    measured = (Number(process.hrtime.bigint() - t) / 1e9 / samples).toFixed(4);
  }
  console.log(
    `${bits} | ${(2 ** bits).toLocaleString('en')} | ${measured || '-'} | ${expected.toFixed(4)} | ${((expected * 1000) / 3600).toFixed(3)}`,
  );
}
