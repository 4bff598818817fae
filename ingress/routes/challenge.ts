import express, { type Request, type Response } from 'express';
import type { IngressContext } from '../context';
import { principalOf } from '../middleware/auth';
import { registerRoute } from '../http/route-table';
import { FAIR_ROUTES } from '../http/routes-fair';
import { eventQueueState } from '../read-model/event-queue';
import { challengeKey } from '../services/check-proof';
import { uuidParam } from '../../shared/contracts/http';
import { AppError } from '../../shared/errors';
import { issueChallenge } from '../../shared/pow';

/**
 * `GET /v1/events/{id}/challenge` (signed in): a proof-of-work challenge bound to the caller and the
 * event, stateless to issue. `bits` is the event's `pow_bits` (0: the event asks for no proof, and a
 * booking needs none).
 */
export function challengeRouter(ctx: IngressContext) {
  const r = express.Router();
  registerRoute(r, ctx.config.JWT_SECRET, FAIR_ROUTES.getChallenge, async (req: Request, res: Response) => {
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) throw new AppError('invalid_id');
    const state = await eventQueueState(ctx, id.data);
    if (!state) throw new AppError('event_not_found');
    const { user_id } = principalOf(req);
    res
      .set('Cache-Control', 'no-store')
      .json(
        issueChallenge(
          challengeKey(ctx.config.JWT_SECRET),
          id.data,
          user_id,
          state.powBits,
          Date.now(),
          ctx.config.POW_CHALLENGE_SECONDS * 1000,
        ),
      );
  });
  return r;
}
