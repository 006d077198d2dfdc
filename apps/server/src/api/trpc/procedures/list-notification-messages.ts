import { notificationMessageSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listNotificationMessages = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive() }))
  .output(z.array(notificationMessageSchema))
  .query(({ ctx, input }) => ctx.services.notifications.listMessages(ctx.principal, input.installationId));
