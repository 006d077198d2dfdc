import { scheduleSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listSchedulesInput = z.object({ installationId: z.number().int().positive(), executor: z.string().optional() });

export const listSchedules = protectedProcedure
  .input(listSchedulesInput)
  .output(z.array(scheduleSchema))
  .query(({ ctx, input }) => ctx.services.schedules.list(ctx.principal, input.installationId, { executor: input.executor }));
