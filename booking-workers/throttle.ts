/**
 * A token bucket per event, for the operator's processing-rate throttle. Pure: callers pass the clock.
 * The burst is a tenth of a second's worth (at least one), so the observed rate stays close to the
 * setting even over short windows.
 */
export interface Bucket {
  ratePerS: number;
  tokens: number;
  updatedAt: number;
}

export function newBucket(ratePerS: number, now: number): Bucket {
  return { ratePerS, tokens: 1, updatedAt: now };
}

export function capacity(b: Bucket): number {
  return Math.max(1, b.ratePerS * 0.1);
}

/** Takes up to `want` whole tokens; returns how many were granted. */
export function take(b: Bucket, want: number, now: number): number {
  b.tokens = Math.min(capacity(b), b.tokens + ((now - b.updatedAt) / 1000) * b.ratePerS);
  b.updatedAt = now;
  const granted = Math.max(0, Math.min(want, Math.floor(b.tokens)));
  b.tokens -= granted;
  return granted;
}

/** Milliseconds until at least one token is available. */
export function msUntilToken(b: Bucket, now: number): number {
  const tokens = Math.min(capacity(b), b.tokens + ((now - b.updatedAt) / 1000) * b.ratePerS);
  return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / b.ratePerS) * 1000);
}
