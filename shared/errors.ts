/**
 * Every error Onsale answers with, in one registry: a stable machine-readable code, an HTTP status and
 * a description. README's error table is generated from, and checked against, this map by a test.
 */
export const ERRORS = {
  invalid_json: { status: 400, description: 'The body is not valid JSON.' },
  validation_failed: {
    status: 400,
    description: 'The body or query does not match the schema; `details` lists each problem.',
  },
  invalid_characters: {
    status: 400,
    description:
      'A string in the path, query or body holds a NUL, another control character or an unpaired surrogate; `details` says where.',
  },
  quantity_out_of_range: { status: 400, description: 'quantity must be a whole number from 1 to MAX_PER_REQUEST.' },
  invalid_booking_request: {
    status: 400,
    description: 'A booking names either seat_ids or quantity (not both, not neither).',
  },
  invalid_id: { status: 400, description: 'A path id is not a valid identifier.' },
  unauthorized: { status: 401, description: 'Missing, malformed, expired or forged bearer token.' },
  forbidden: { status: 403, description: 'The token is valid but its role or owner may not do this.' },
  not_found: { status: 404, description: 'No such route.' },
  event_not_found: { status: 404, description: 'No event with this id.' },
  booking_not_found: { status: 404, description: 'No booking with this id visible to the caller.' },
  booking_not_cancellable: { status: 409, description: 'The booking is already in a terminal state.' },
  idempotency_key_reused: { status: 422, description: 'The Idempotency-Key was used before with a different body.' },
  idempotency_key_in_progress: {
    status: 409,
    description:
      'A request with this Idempotency-Key is being stamped right now (nothing of it is queued yet); retry after Retry-After seconds.',
  },
  payload_too_large: { status: 413, description: 'The body is larger than BODY_LIMIT.' },
  unsupported_media_type: { status: 415, description: 'The body must be application/json.' },
  rate_limited: { status: 429, description: 'Too many requests; retry after the Retry-After seconds.' },
  too_many_watches: {
    status: 429,
    description:
      'A socket watches as many bookings or events as the notifier allows (NOTIFIER_MAX_BOOKING_WATCHES / NOTIFIER_MAX_EVENT_WATCHES); unwatch one first.',
  },
  too_many_sockets: {
    status: 429,
    description:
      'The account has as many sockets open on this notifier as it allows (NOTIFIER_MAX_SOCKETS_PER_USER); the connection is refused.',
  },
  queue_unavailable: {
    status: 503,
    description:
      'The broker did not confirm the request. Without `details.booking_id` nothing was queued; with it the request may have been queued under that id: GET it, or retry with the same Idempotency-Key for its real outcome. Retry after Retry-After seconds.',
  },
  dependency_unavailable: { status: 503, description: 'A backing service (PostgreSQL, Redis) is unreachable.' },
  shutting_down: { status: 503, description: 'This instance is shutting down; retry on another.' },
  internal_error: { status: 500, description: 'An unexpected error; the request id is in the logs.' },
  invalid_signature: {
    status: 401,
    description:
      'A payment callback whose signature (X-Onsale-Signature) is missing, forged or too old; nothing changed.',
  },
  booking_not_payable: { status: 409, description: 'Only a held booking can be checked out.' },
  ticket_not_found: { status: 404, description: 'No ticket with this id visible to the caller.' },
  ticket_not_transferable: { status: 409, description: 'The ticket is void, or the recipient already owns it.' },
  recipient_not_found: { status: 404, description: 'No account with this e-mail address.' },
  invalid_cursor: { status: 400, description: 'The paging cursor is malformed or expired.' },
  // --- catalog and discovery: accounts, organizer API, search ---
  email_taken: { status: 409, description: 'An account with this e-mail address (in any letter case) exists.' },
  invalid_credentials: { status: 401, description: 'Wrong e-mail address or password.' },
  user_not_found: {
    status: 404,
    description: 'No account with this id (or, for GET /v1/me, the token names no registered account).',
  },
  venue_not_found: { status: 404, description: 'No venue with this id.' },
  performer_not_found: {
    status: 404,
    description: 'No performer with this id (or one of performer_ids does not exist).',
  },
  invalid_layout: {
    status: 400,
    description:
      'The seat layout or price tiers do not fit: an unknown or repeated section, a seat outside its row, too many seats; `details` says which.',
  },
  invalid_range: {
    status: 400,
    description:
      'A range is inverted or empty (start_date after end_date, min_price above max_price, ends_at not after starts_at).',
  },
  event_not_editable: {
    status: 409,
    description: 'The event is cancelled (or the change would need its inventory rebuilt); nothing changed.',
  },
  // --- fair on-sale: the draw, proof of work, presales, waitlist ---
  proof_required: {
    status: 428,
    description:
      'The event asks for a proof of work: get GET /v1/events/{id}/challenge, solve it and send `proof` with the booking.',
  },
  proof_invalid: {
    status: 400,
    description:
      'The proof of work is malformed, not for this user or event, or its hash lacks the zero bits asked for.',
  },
  proof_expired: { status: 400, description: 'The proof-of-work challenge expired; get a new one.' },
  proof_used: {
    status: 409,
    description: 'This proof-of-work challenge was used already (each is single use); get a new one.',
  },
  not_sold_out: { status: 409, description: 'What the waitlist entry asks for is not sold out: book it instead.' },
  already_on_waitlist: {
    status: 409,
    description: "The user already waits on this event's waitlist (one entry per user per event).",
  },
  waitlist_entry_not_found: { status: 404, description: "The user does not wait on this event's waitlist." },
  queue_mode_locked: {
    status: 409,
    description: 'The queue mode is settable only until the on-sale time (or the draw); nothing changed.',
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error that maps to a documented HTTP response. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? ERRORS[code].description);
    this.status = ERRORS[code].status;
  }
}

/**
 * Reasons a booking is rejected by the allocator. They travel in `booking.result` and
 * `GET /v1/bookings/{id}` as `reason`.
 */
export const REJECTION_REASONS = {
  sold_out: 'No inventory left that matches the request.',
  seats_unavailable: 'One or more requested seats are taken (and no alternative was accepted or found).',
  unknown_seats: 'One or more seat ids do not exist in this event.',
  limit_exceeded: "The request would exceed the event's per-user or per-request limit.",
  active_request_exists: 'The user already has an active request or hold for this event.',
  not_on_sale: 'The event is not on sale: its waiting room is not open yet, or its inventory is not ready.',
  event_not_found: 'No event with this id.',
  invalid_request: 'The request does not fit the event (seat ids for general admission, or the reverse).',
  withdrawn: 'The user withdrew the request before it was decided.',
  event_cancelled: 'The organizer cancelled the event.',
  presale_code_invalid:
    'The presale code does not exist for this event (or the account is not invited to its presale).',
  presale_code_used_up: 'The presale code has no uses left.',
  presale_not_open: 'The presale is not open now (before its start or after its end).',
  presale_limit_exceeded: "The request would exceed the presale's per-user limit.",
} as const;

export type RejectionReason = keyof typeof REJECTION_REASONS;

/**
 * Reasons that travel with payment-related transitions (a booking back to `held`, `cancelled` or
 * `refunded`), in `booking.result` and `GET /v1/bookings/{id}` as `reason`.
 */
export const PAYMENT_REASONS = {
  payment_declined:
    'The provider declined the payment; the hold stands until it expires, so the buyer may check out again.',
  payment_unavailable:
    'The payment provider could not be reached (circuit breaker open or retries spent); the hold stands, retry checkout.',
  payment_after_expiry: 'The payment succeeded after the hold had expired: it is refunded automatically.',
  duplicate_payment: 'A second charge succeeded for a booking already paid: it is refunded automatically.',
  cancelled_by_user: 'The buyer cancelled; a paid booking is refunded.',
  event_cancelled: 'The organizer cancelled the event; a paid booking is refunded.',
  hold_expired: 'The hold (including the payment grace) ran out before a payment succeeded.',
} as const;

export type PaymentReason = keyof typeof PAYMENT_REASONS;

/**
 * Reasons a booking ends `failed`: a command naming it was dead-lettered, and the single writer
 * failed it rather than leave it `queued` forever.
 */
export const FAILURE_REASONS = {
  malformed_command:
    'The command could not be read (for instance a string PostgreSQL cannot store); it is kept in bookings.dlq.',
  delivery_limit: 'The command failed on every delivery until the delivery limit; it is kept in bookings.dlq.',
} as const;

export type FailureReason = keyof typeof FAILURE_REASONS;

/** Every reason a booking's outcome may carry (`reason` in `booking.result` and `GET /v1/bookings/{id}`). */
export type BookingReason = RejectionReason | PaymentReason | FailureReason;
export const BOOKING_REASONS = [
  ...new Set([...Object.keys(REJECTION_REASONS), ...Object.keys(PAYMENT_REASONS), ...Object.keys(FAILURE_REASONS)]),
] as [BookingReason, ...BookingReason[]];

/** Non-retryable message problem: the message goes to the dead-letter queue with this reason. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

/** The partition's epoch moved on: another worker is the single writer now. */
export class FencedError extends Error {
  override name = 'FencedError';
}

/**
 * PostgreSQL SQLSTATE codes worth retrying (the same batch again, after backoff):
 * serialization failure, deadlock, and the connection-level classes.
 */
export const RETRYABLE_PG_CODES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
  '08001',
  '08004', // connection exceptions
  '53300', // too_many_connections
]);

/** Node socket error codes that mean "the service went away", worth retrying. */
export const RETRYABLE_NET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (RETRYABLE_PG_CODES.has(code) || RETRYABLE_NET_CODES.has(code))) return true;
  const msg = err instanceof Error ? err.message : '';
  return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(msg);
}
