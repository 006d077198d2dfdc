import { notificationDeliveriesSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

/** Recent deliveries of an installation (status, attempts, last error) and counts by status. */
export const notificationDeliveries = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), limit: z.number().int().min(1).max(500).default(50) }))
  .output(notificationDeliveriesSchema)
  .query(({ ctx, input }) => ctx.services.notifications.deliveries(ctx.principal, input.installationId, input.limit));
