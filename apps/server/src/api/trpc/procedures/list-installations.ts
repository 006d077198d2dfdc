import { installationInfoSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listInstallationsInput = z.object({ assigned: z.boolean().optional() }).default({});

export const listInstallations = protectedProcedure
  .input(listInstallationsInput)
  .output(z.array(installationInfoSchema))
  .query(({ ctx, input }) => ctx.services.installations.listInfo(ctx.principal, { assigned: input.assigned }));
