import type { z } from 'zod';
import type { bookingAcceptedSchema, BookingBody } from '../../../shared/contracts/http';
import { ApiError } from '../lib/api';
import { reasonText } from '../lib/reasons';
import type { EventPage } from '../lib/event-types';
import { solveProof } from '../lib/pow';
import type { PageContext } from '../lib/page';

/*
 * What both booking forms of the event page (general-admission.tsx, reserved-seats.tsx) share: the
 * booking request with its proof of work and presale code, its progress, the presale field, error text.
 */

type BookingAccepted = z.infer<typeof bookingAcceptedSchema>;

/** Books, first solving the event's proof of work (if it asks for one) and adding the presale code (if typed). */
export async function book(
  ctx: PageContext,
  body: BookingBody,
  presaleCode: string,
  onProgress: (share: number) => void,
): Promise<void> {
  const proof = await solveProof(ctx.api, body.event_id, onProgress);
  if (proof) body = { ...body, proof };
  if (presaleCode.trim()) body = { ...body, presale_code: presaleCode.trim() };
  const answer = await ctx.api<BookingAccepted>('POST', '/v1/bookings', body);
  if (answer.queue === 'waiting_room' && answer.draw_at)
    sessionStorage.setItem(`onsale.draw-at.${answer.booking_id}`, answer.draw_at);
  if (answer.position) sessionStorage.setItem(`onsale.first-position.${answer.booking_id}`, String(answer.position));
  ctx.navigate(`#/bookings/${answer.booking_id}`);
}

/** The proof-of-work progress while the worker solves it. */
export function PowProgress({ share }: { share: number | null }) {
  if (share === null) return null;
  return (
    <p class="pow" role="status">
      Checking that you are not a bot…{' '}
      <progress max={100} value={Math.round(share * 100)} aria-label="Anti-bot check progress">
        {Math.round(share * 100)}%
      </progress>
    </p>
  );
}

/** The presale code field, before the general on-sale (a presale window may be open). */
export function PresaleField({ ev, code, setCode }: { ev: EventPage; code: string; setCode: (c: string) => void }) {
  if (ev.on_sale.open || ev.status === 'cancelled') return null;
  return (
    <p class="presale">
      <label>
        Presale code (if you have one){' '}
        <input
          name="presale_code"
          maxLength={64}
          autoComplete="off"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
    </p>
  );
}

/** An error a buyer can act on: the registry's friendly text, or the presale reasons in words. */
export const errorText = (err: unknown) =>
  err instanceof ApiError ? (err.code.startsWith('presale_') ? reasonText(err.code) : err.message) : String(err);
