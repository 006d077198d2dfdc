import { roleSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getRoleInput = z.object({ id: z.number().int().positive() });

export const getRole = protectedProcedure
  .input(getRoleInput)
  .output(roleSchema)
  .query(({ ctx, input }) => ctx.services.roles.get(ctx.principal, input.id));
