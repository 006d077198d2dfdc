import { userSchema, userWriteSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const createUser = protectedProcedure
  .input(userWriteSchema)
  .output(userSchema)
  .mutation(({ ctx, input }) => ctx.services.users.create(ctx.principal, input));
