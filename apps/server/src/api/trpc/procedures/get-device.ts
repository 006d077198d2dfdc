import { xObjectSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getDeviceInput = z.object({ installationId: z.number().int().positive(), id: z.number().int().positive() });

export const getDevice = protectedProcedure
  .input(getDeviceInput)
  .output(xObjectSchema)
  .query(({ ctx, input }) => ctx.services.devices.get(ctx.principal, input.installationId, input.id));
