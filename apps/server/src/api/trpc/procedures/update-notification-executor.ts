import { notificationExecutorSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';
import { notificationExecutorInput } from './create-notification-executor.js';

export const updateNotificationExecutor = protectedProcedure
  .input(notificationExecutorInput.extend({ id: z.number().int().positive() }))
  .output(notificationExecutorSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.notifications.adminUpdateExecutor(ctx.principal, input.id, {
      organization_id: input.organizationId,
      type: input.type,
      name: input.name,
      config: input.config,
      secret: input.secret,
    }),
  );
