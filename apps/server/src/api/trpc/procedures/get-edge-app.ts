import { edgeAppSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getEdgeApp = protectedProcedure
  .input(z.object({ id: z.number().int().positive() }))
  .output(edgeAppSchema)
  .query(({ ctx, input }) => ctx.services.edgeApps.get(ctx.principal, input.id));
