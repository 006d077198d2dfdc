import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteInstallationInput = z.object({ id: z.number().int().positive() });

export const deleteInstallation = protectedProcedure
  .input(deleteInstallationInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.installations.delete(ctx.principal, input.id));
