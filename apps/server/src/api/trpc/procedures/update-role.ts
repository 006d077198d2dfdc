import { roleSchema, roleWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateRoleInput = z.object({ id: z.number().int().positive(), data: roleWriteSchema });

export const updateRole = protectedProcedure
  .input(updateRoleInput)
  .output(roleSchema)
  .mutation(({ ctx, input }) => ctx.services.roles.update(ctx.principal, input.id, input.data));
