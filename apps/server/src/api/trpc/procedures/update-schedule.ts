import { scheduleSchema, scheduleWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateScheduleInput = z.object({
  installationId: z.number().int().positive(),
  id: z.number().int().positive(),
  data: scheduleWriteSchema,
  silent: z.boolean().optional(),
});

export const updateSchedule = protectedProcedure
  .input(updateScheduleInput)
  .output(scheduleSchema)
  .mutation(({ ctx, input }) => ctx.services.schedules.update(ctx.principal, input.installationId, input.id, input.data, { silent: input.silent }));
