import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

/** Queues a send through an output; `payload` becomes `.payload` of the message template. */
export const sendNotification = protectedProcedure
  .input(z.object({ installationId: z.number().int().positive(), outputId: z.number().int().positive(), payload: z.record(z.string(), z.unknown()).default({}) }))
  .output(messageResponseSchema.extend({ delivery_id: z.number().int() }))
  .mutation(({ ctx, input }) => ctx.services.notifications.send(ctx.principal, input.installationId, input.outputId, input.payload));
