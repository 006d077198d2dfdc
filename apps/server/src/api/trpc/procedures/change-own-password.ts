import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const changeOwnPasswordInput = z.object({ current_password: z.string(), new_password: z.string() });

export const changeOwnPassword = protectedProcedure
  .input(changeOwnPasswordInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.passwords.changeOwn(ctx.principal, input));
