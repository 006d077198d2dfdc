import { z } from 'zod';
import { mapStreamErrors } from '../stream-errors.js';
import { protectedProcedure } from '../trpc.js';

export const dataLiveInput = z.object({
  installationId: z.number().int().positive(),
  /** Relative topics (`obj/x`); absent means every topic of the installation. */
  topics: z.array(z.string()).max(1000).optional(),
});

/** Last values: `{kind: 'snapshot'}` with the current status first, then `{kind: 'update'}` as values arrive. */
export const dataLive = protectedProcedure
  .input(dataLiveInput)
  .subscription(({ ctx, input, signal }) => mapStreamErrors(ctx.services.live.live(ctx.principal, input.installationId, input.topics, signal)));
