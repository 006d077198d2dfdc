import { edgeAppSchema, edgeAppWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateEdgeApp = protectedProcedure
  .input(z.object({ id: z.number().int().positive(), data: edgeAppWriteSchema }))
  .output(edgeAppSchema)
  .mutation(({ ctx, input }) => ctx.services.edgeApps.update(ctx.principal, input.id, input.data));
