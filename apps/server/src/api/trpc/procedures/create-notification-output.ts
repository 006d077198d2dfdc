import { notificationConfigSchema, notificationOutputSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const notificationOutputInput = z.object({
  installationId: z.number().int().positive(),
  name: z.string(),
  executorId: z.number().int().positive(),
  messageId: z.number().int().positive(),
  config: notificationConfigSchema.default({}),
});

export const createNotificationOutput = protectedProcedure
  .input(notificationOutputInput)
  .output(notificationOutputSchema)
  .mutation(({ ctx, input }) =>
    ctx.services.notifications.createOutput(ctx.principal, input.installationId, {
      name: input.name,
      notification_output_executor_id: input.executorId,
      notification_message_id: input.messageId,
      config: input.config,
    }),
  );
