import { xObjectSchema, xObjectWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateFunctionInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive(), data: xObjectWriteSchema });

/** Absent fields keep their stored values (REST's full-object PUT). */
export const updateFunction = protectedProcedure
  .input(updateFunctionInput)
  .output(xObjectSchema)
  .mutation(({ ctx, input }) => ctx.services.functions.update(ctx.principal, input.installationId, input.id, input.data));
