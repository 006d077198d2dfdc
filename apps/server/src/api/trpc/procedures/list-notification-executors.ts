import { notificationExecutorSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

/** With `installationId`: executors that installation may use; without: those you administer. */
export const listNotificationExecutors = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive().optional() }).default({}))
  .output(z.array(notificationExecutorSchema))
  .query(({ ctx, input }) =>
    input.installationId === undefined
      ? ctx.services.notifications.adminListExecutors(ctx.principal)
      : ctx.services.notifications.listExecutors(ctx.principal, input.installationId),
  );
