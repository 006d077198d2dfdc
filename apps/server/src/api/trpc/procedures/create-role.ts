import { roleSchema, roleWriteSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const createRole = protectedProcedure
  .input(roleWriteSchema)
  .output(roleSchema)
  .mutation(({ ctx, input }) => ctx.services.roles.create(ctx.principal, input));
