import { xObjectSchema, xObjectWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const createDeviceInput = z.object({ installationId: z.number().int().positive(), data: xObjectWriteSchema });

/** Protected meta is written only with the edit right, as on REST. */
export const createDevice = protectedProcedure
  .input(createDeviceInput)
  .output(xObjectSchema)
  .mutation(({ ctx, input }) => ctx.services.devices.create(ctx.principal, input.installationId, input.data));
