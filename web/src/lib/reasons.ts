/** Why a booking was rejected or ended, in words a buyer can act on. */
const REASONS: Record<string, string> = {
  sold_out: 'Sold out: no tickets are left.',
  seats_unavailable: 'Someone else took one of those seats first. Pick other seats.',
  unknown_seats: 'One of those seats no longer exists. Reload the map.',
  limit_exceeded: 'That is more than the tickets per person allowed for this event.',
  active_request_exists: 'You already have a request waiting for this event. Finish or release it first.',
  not_on_sale: 'This event is not on sale yet.',
  event_not_found: 'This event no longer exists.',
  invalid_request: 'This request could not be processed.',
  withdrawn: 'The request was withdrawn.',
  event_cancelled: 'The event was cancelled; any payment is refunded.',
  payment_declined: 'Your card was declined. Try another card.',
  payment_unavailable: 'The payment provider is unavailable. Try again in a minute.',
  payment_after_expiry: 'The payment arrived after the hold expired and was refunded.',
  duplicate_payment: 'A second payment was refunded.',
  cancelled_by_user: 'You cancelled this booking.',
  presale_code_invalid:
    'That presale code does not exist for this event (or your account is not invited to its presale).',
  presale_code_used_up: 'That presale code has no uses left.',
  presale_not_open: 'The presale is not open right now.',
  presale_limit_exceeded: 'That is more than the presale allows per person.',
  hold_expired: 'The hold expired before payment. The seats were released.',
};
export const reasonText = (r: string | null | undefined) => (r ? (REASONS[r] ?? r.replaceAll('_', ' ')) : '');
