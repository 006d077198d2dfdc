import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteEdgeAppInstance = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), id: z.number().int().positive() }))
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.edgeAppInstances.delete(ctx.principal, input.installationId, input.id));
