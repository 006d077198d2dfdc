import { notificationConfigSchema, notificationExecutorSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const notificationExecutorInput = z.object({
  organizationId: z.number().int().positive(),
  type: z.string(),
  name: z.string(),
  config: notificationConfigSchema.default({}),
  /** Write only; omitted (or the mask) on update keeps the stored one, "" clears it. */
  secret: z.string().optional(),
});

export const createNotificationExecutor = protectedProcedure
  .input(notificationExecutorInput)
  .output(notificationExecutorSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.notifications.adminCreateExecutor(ctx.principal, { organization_id: input.organizationId, type: input.type, name: input.name, config: input.config, secret: input.secret }),
  );
