import { xObjectSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listDevicesInput = z.object({ installationId: z.number().int().positive(), filters: z.record(z.string(), z.string()).default({}) });

export const listDevices = protectedProcedure
  .input(listDevicesInput)
  .output(z.array(xObjectSchema))
  .query(({ ctx, input }) => ctx.services.devices.list(ctx.principal, input.installationId, input.filters));
