import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

/** A current code or the password; the service says which is missing. */
export const totpDisableInput = z.object({ code: z.string().optional(), password: z.string().optional() });

export const totpDisable = protectedProcedure
  .input(totpDisableInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.twoFactor.disable(ctx.principal, input));
