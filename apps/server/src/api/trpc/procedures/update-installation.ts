import { installationSchema, installationWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateInstallationInput = z.object({ id: z.number().int().positive(), data: installationWriteSchema });

/** Absent fields keep their stored values (REST's full-object PUT). */
export const updateInstallation = protectedProcedure
  .input(updateInstallationInput)
  .output(installationSchema)
  .mutation(({ ctx, input }) => ctx.services.installations.update(ctx.principal, input.id, input.data));
