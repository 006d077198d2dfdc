import { edgeAppInstanceSchema, edgeAppInstanceWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateEdgeAppInstance = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), id: z.number().int().positive(), data: edgeAppInstanceWriteSchema }))
  .output(edgeAppInstanceSchema)
  .mutation(({ ctx, input }) => ctx.services.edgeAppInstances.update(ctx.principal, input.installationId, input.id, input.data));
