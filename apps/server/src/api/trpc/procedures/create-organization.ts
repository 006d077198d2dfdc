import { organizationSchema, organizationWriteSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const createOrganization = protectedProcedure
  .input(organizationWriteSchema)
  .output(organizationSchema)
  .mutation(({ ctx, input }) => ctx.services.organizations.create(ctx.principal, input));
