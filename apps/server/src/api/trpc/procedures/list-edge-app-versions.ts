import { edgeAppVersionSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listEdgeAppVersions = protectedProcedure
  .input(z.object({ id: z.number().int().positive(), untagged: z.boolean().default(true) }))
  .output(z.array(edgeAppVersionSchema))
  .query(({ ctx, input }) => ctx.services.edgeApps.listVersions(ctx.principal, input.id, input.untagged));
