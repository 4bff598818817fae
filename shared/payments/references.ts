/**
 * Provider references (and idempotency keys) of Onsale's payment calls. Each starts with the booking
 * id, so a callback names its booking (and through it, its event's partition) by itself.
 */

/** The n-th charge attempt of a booking: `<booking id>:a<n>`. */
export const attemptId = (bookingId: string, n: number): string => `${bookingId}:a${n}`;

/** The refund of one charge of a booking: `<booking id>:r:<charge id>`. */
export const refundId = (bookingId: string, chargeId: string): string => `${bookingId}:r:${chargeId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The booking a provider reference belongs to, or null when it is not one of ours. */
export function bookingOfReference(reference: string): string | null {
  const id = reference.slice(0, 36);
  if (!UUID.test(id) || (reference.length > 36 && reference[36] !== ':')) return null;
  return id.toLowerCase();
}
