import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteScheduleInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive(), silent: z.boolean().optional() });

export const deleteSchedule = protectedProcedure
  .input(deleteScheduleInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.schedules.delete(ctx.principal, input.installationId, input.id, { silent: input.silent }));
