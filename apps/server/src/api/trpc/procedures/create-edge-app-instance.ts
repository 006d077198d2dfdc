import { edgeAppInstanceSchema, edgeAppInstanceWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const createEdgeAppInstance = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), data: edgeAppInstanceWriteSchema }))
  .output(edgeAppInstanceSchema)
  .mutation(({ ctx, input }) => ctx.services.edgeAppInstances.create(ctx.principal, input.installationId, input.data));
