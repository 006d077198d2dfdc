import { edgeAppVersionSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const publishEdgeAppVersion = protectedProcedure
  .input(z.object({ id: z.number().int().positive(), name: z.string(), hash: z.string() }))
  .output(edgeAppVersionSchema)
  .mutation(({ ctx, input }) => ctx.services.edgeApps.publish(ctx.principal, input.id, { name: input.name, hash: input.hash }));
