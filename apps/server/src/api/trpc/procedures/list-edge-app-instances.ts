import { edgeAppInstanceSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listEdgeAppInstances = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive() }))
  .output(z.array(edgeAppInstanceSchema))
  .query(({ ctx, input }) => ctx.services.edgeAppInstances.list(ctx.principal, input.installationId));
