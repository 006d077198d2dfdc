import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const setUserPasswordInput = z.object({ id: z.number().int().positive(), new_password: z.string() });

export const setUserPassword = protectedProcedure
  .input(setUserPasswordInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.passwords.reset(ctx.principal, input.id, { new_password: input.new_password }));
