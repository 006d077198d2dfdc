import { notificationOutputSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';
import { notificationOutputInput } from './create-notification-output.js';

export const updateNotificationOutput = protectedProcedure
  .input(notificationOutputInput.extend({ id: z.number().int().positive() }))
  .output(notificationOutputSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.notifications.updateOutput(ctx.principal, input.installationId, input.id, {
      name: input.name,
      notification_output_executor_id: input.executorId,
      notification_message_id: input.messageId,
      config: input.config,
    }),
  );
