import { scheduleSchema, scheduleWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const createScheduleInput = z.object({ installationId: z.number().int().positive(), data: scheduleWriteSchema, silent: z.boolean().optional() });

export const createSchedule = protectedProcedure
  .input(createScheduleInput)
  .output(scheduleSchema)
  .mutation(({ ctx, input }) => ctx.services.schedules.create(ctx.principal, input.installationId, input.data, { silent: input.silent }));
