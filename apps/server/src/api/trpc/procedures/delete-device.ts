import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteDeviceInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive() });

export const deleteDevice = protectedProcedure
  .input(deleteDeviceInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.devices.delete(ctx.principal, input.installationId, input.id));
