import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteOrganizationInput = z.object({ id: z.number().int().positive(), force: z.boolean().default(false) });

export const deleteOrganization = protectedProcedure
  .input(deleteOrganizationInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.organizations.delete(ctx.principal, input.id, { force: input.force }));
