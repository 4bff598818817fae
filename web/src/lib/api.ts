import { session } from './session';

/** An API error: its stable code from the error registry, and a sentence a buyer can act on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null,
    readonly details: unknown,
  ) {
    super(message);
  }
}

/** Sentences for the codes a buyer meets; the server's own message for the rest. */
const FRIENDLY: Record<string, string | ((e: ApiError) => string)> = {
  rate_limited: (e) => `Too many requests right now. Try again in ${e.retryAfter ?? 'a few'} seconds.`,
  queue_unavailable: (e) => `Booking is busy for a moment. Try again in ${e.retryAfter ?? 'a few'} seconds.`,
  dependency_unavailable: (e) => `The service is briefly unavailable. Try again in ${e.retryAfter ?? 'a few'} seconds.`,
  validation_failed: 'Some of what you entered is not valid. Check the highlighted fields.',
  unauthorized: 'Please sign in again.',
  invalid_credentials: 'That e-mail and password do not match.',
  email_taken: 'An account with this e-mail already exists. Sign in instead.',
  quantity_out_of_range: 'That is more tickets than one order may hold.',
  invalid_booking_request: 'That choice of seats cannot be booked together.',
  booking_not_payable: 'This hold can no longer be paid (it expired or was released).',
  booking_not_cancellable: 'This booking can no longer be cancelled.',
  ticket_not_transferable: 'This ticket cannot be transferred (already transferred or cancelled).',
  proof_invalid: 'The anti-bot check failed. Try again.',
  proof_expired: 'The anti-bot check took too long and expired. Try again.',
  proof_used: 'The anti-bot check was already used. Try again.',
  recipient_not_found: 'Nobody has an account with that e-mail.',
};

function describe(e: ApiError): string {
  const f = FRIENDLY[e.code];
  if (typeof f === 'function') return f(e);
  if (f) return f;
  // Server messages that point at headers or fields are for developers; keep only the first sentence.
  return (
    e.message.replace(/\s*\(?`?details`?[^.]*\.?\)?/i, '').replace(/Retry-After/g, 'a few') || 'Something went wrong.'
  );
}

/** JSON over HTTP to ingress (same origin), with the bearer token when signed in. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    if (res.status === 401 && token) session.clear();
    const retry = Number(res.headers.get('retry-after'));
    const e = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? `HTTP ${res.status}`,
      Number.isFinite(retry) && retry > 0 ? retry : null,
      err?.details,
    );
    e.message = describe(e);
    throw e;
  }
  return json as T;
}
export type Api = typeof api;
