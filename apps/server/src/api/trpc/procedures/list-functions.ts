import { xObjectSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listFunctionsInput = z.object({ installationId: z.number().int().positive(), filters: z.record(z.string(), z.string()).default({}) });

export const listFunctions = protectedProcedure
  .input(listFunctionsInput)
  .output(z.array(xObjectSchema))
  .query(({ ctx, input }) => ctx.services.functions.list(ctx.principal, input.installationId, input.filters));
