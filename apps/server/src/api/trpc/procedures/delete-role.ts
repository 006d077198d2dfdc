import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteRoleInput = z.object({ id: z.number().int().positive() });

export const deleteRole = protectedProcedure
  .input(deleteRoleInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.roles.delete(ctx.principal, input.id));
