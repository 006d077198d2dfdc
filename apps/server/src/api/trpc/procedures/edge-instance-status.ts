import { edgeInstanceStatusSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const edgeInstanceStatusInput = z.object({ installationId: z.number().int().positive(), instanceId: z.number().int().positive() });

export const edgeInstanceStatus = protectedProcedure
  .input(edgeInstanceStatusInput)
  .output(edgeInstanceStatusSchema)
  .query(({ ctx, input }) => ctx.services.edgeRuntime.instanceStatus(ctx.principal, input.installationId, input.instanceId));
