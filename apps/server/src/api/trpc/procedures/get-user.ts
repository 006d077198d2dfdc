import { userSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const getUserInput = z.object({ id: z.number().int().positive() });

export const getUser = protectedProcedure
  .input(getUserInput)
  .output(userSchema)
  .query(({ ctx, input }) => ctx.services.users.get(ctx.principal, input.id));
