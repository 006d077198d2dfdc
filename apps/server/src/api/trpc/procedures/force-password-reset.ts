import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const forcePasswordResetInput = z.object({ organizationId: z.number().int().positive() });

export const forcePasswordReset = protectedProcedure
  .input(forcePasswordResetInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.passwords.forceReset(ctx.principal, input.organizationId));
