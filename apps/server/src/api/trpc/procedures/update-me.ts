import { userSchema, userWriteSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const updateMe = protectedProcedure
  .input(userWriteSchema.omit({ password: true }))
  .output(userSchema)
  .mutation(({ ctx, input }) => ctx.services.users.update(ctx.principal, 'me', input));
