import { edgeAppInstanceSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getEdgeAppInstance = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), id: z.number().int().positive() }))
  .output(edgeAppInstanceSchema)
  .query(({ ctx, input }) => ctx.services.edgeAppInstances.get(ctx.principal, input.installationId, input.id));
