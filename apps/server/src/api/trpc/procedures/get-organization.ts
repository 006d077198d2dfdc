import { organizationSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getOrganizationInput = z.object({ id: z.number().int().positive() });

export const getOrganization = protectedProcedure
  .input(getOrganizationInput)
  .output(organizationSchema)
  .query(({ ctx, input }) => ctx.services.organizations.get(ctx.principal, input.id));
