import { scheduleSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getScheduleInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive() });

export const getSchedule = protectedProcedure
  .input(getScheduleInput)
  .output(scheduleSchema)
  .query(({ ctx, input }) => ctx.services.schedules.get(ctx.principal, input.installationId, input.id));
