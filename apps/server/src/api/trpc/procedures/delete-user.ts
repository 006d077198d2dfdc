import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const deleteUserInput = z.object({ id: z.number().int().positive() });

export const deleteUser = protectedProcedure
  .input(deleteUserInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.users.delete(ctx.principal, input.id));
