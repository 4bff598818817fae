import type { Principal } from '../../shared/auth';
import { AppError } from '../../shared/errors';

/**
 * Organizer resources change only by their owner (the organizer whose token created them) or an
 * operator; anyone else gets 403 `forbidden`. Reading them is public.
 */
export function assertOwner(principal: Principal, organizerId: string, what: string): void {
  if (principal.role === 'operator') return;
  if (principal.role === 'organizer' && principal.user_id === organizerId) return;
  throw new AppError('forbidden', `Only the organizer who created this ${what} (or an operator) may change it.`);
}
