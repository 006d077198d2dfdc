import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteNotificationExecutor = protectedProcedure
  .input(z.object({ id: z.number().int().positive() }))
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.notifications.adminDeleteExecutor(ctx.principal, input.id));
