import { installationSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getInstallationInput = z.object({ id: z.number().int().positive() });

/** Protected meta is included only for callers with the view right, as on REST. */
export const getInstallation = protectedProcedure
  .input(getInstallationInput)
  .output(installationSchema)
  .query(({ ctx, input }) => ctx.services.installations.get(ctx.principal, input.id));
