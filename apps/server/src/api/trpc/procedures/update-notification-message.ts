import { notificationMessageSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateNotificationMessage = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), id: z.number().int().positive(), name: z.string(), text: z.string() }))
  .output(notificationMessageSchema)
  .mutation(({ ctx, input }) => ctx.services.notifications.updateMessage(ctx.principal, input.installationId, input.id, { name: input.name, text: input.text }));
