import { userSchema, userWriteSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const updateUserInput = z.object({ id: z.number().int().positive(), data: userWriteSchema.omit({ password: true }) });

export const updateUser = protectedProcedure
  .input(updateUserInput)
  .output(userSchema)
  .mutation(({ ctx, input }) => ctx.services.users.update(ctx.principal, input.id, input.data));
