import { notificationOutputSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listNotificationOutputs = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive() }))
  .output(z.array(notificationOutputSchema))
  .query(({ ctx, input }) => ctx.services.notifications.listOutputs(ctx.principal, input.installationId));
