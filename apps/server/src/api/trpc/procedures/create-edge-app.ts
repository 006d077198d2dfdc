import { edgeAppSchema, edgeAppWriteSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const createEdgeApp = protectedProcedure
  .input(edgeAppWriteSchema)
  .output(edgeAppSchema)
  .mutation(({ ctx, input }) => ctx.services.edgeApps.create(ctx.principal, input));
