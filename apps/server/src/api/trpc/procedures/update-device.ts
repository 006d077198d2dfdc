import { xObjectSchema, xObjectWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateDeviceInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive(), data: xObjectWriteSchema });

/** Absent fields keep their stored values (REST's full-object PUT). */
export const updateDevice = protectedProcedure
  .input(updateDeviceInput)
  .output(xObjectSchema)
  .mutation(({ ctx, input }) => ctx.services.devices.update(ctx.principal, input.installationId, input.id, input.data));
