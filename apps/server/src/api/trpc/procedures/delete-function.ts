import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteFunctionInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive() });

export const deleteFunction = protectedProcedure
  .input(deleteFunctionInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.functions.delete(ctx.principal, input.installationId, input.id));
