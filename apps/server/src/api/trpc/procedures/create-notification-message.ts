import { notificationMessageSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

/** `text` is checked as a Go template here (400 naming line and column). */
export const createNotificationMessage = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), name: z.string(), text: z.string() }))
  .output(notificationMessageSchema)
  .mutation(({ ctx, input }) => ctx.services.notifications.createMessage(ctx.principal, input.installationId, { name: input.name, text: input.text }));
