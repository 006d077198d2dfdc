import { organizationSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listOrganizationsInput = z.object({ filters: z.record(z.string(), z.string()).default({}) }).default({ filters: {} });

export const listOrganizations = protectedProcedure
  .input(listOrganizationsInput)
  .output(z.array(organizationSchema))
  .query(({ ctx, input }) => ctx.services.organizations.list(ctx.principal, input.filters));
