import { userSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listUsersInput = z.object({ filters: z.record(z.string(), z.string()).default({}) }).default({ filters: {} });

export const listUsers = protectedProcedure
  .input(listUsersInput)
  .output(z.array(userSchema))
  .query(({ ctx, input }) => ctx.services.users.list(ctx.principal, input.filters));
