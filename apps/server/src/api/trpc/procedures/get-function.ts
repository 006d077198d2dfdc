import { xObjectSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getFunctionInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive() });

export const getFunction = protectedProcedure
  .input(getFunctionInput)
  .output(xObjectSchema)
  .query(({ ctx, input }) => ctx.services.functions.get(ctx.principal, input.installationId, input.id));
