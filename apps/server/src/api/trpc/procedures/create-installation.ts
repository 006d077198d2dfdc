import { installationSchema, installationWriteSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const createInstallation = protectedProcedure
  .input(installationWriteSchema)
  .output(installationSchema)
  .mutation(({ ctx, input }) => ctx.services.installations.create(ctx.principal, input));
