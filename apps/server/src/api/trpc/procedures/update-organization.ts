import { organizationSchema, organizationWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateOrganizationInput = z.object({ id: z.number().int().positive(), data: organizationWriteSchema });

export const updateOrganization = protectedProcedure
  .input(updateOrganizationInput)
  .output(organizationSchema)
  .mutation(({ ctx, input }) => ctx.services.organizations.update(ctx.principal, input.id, input.data));
