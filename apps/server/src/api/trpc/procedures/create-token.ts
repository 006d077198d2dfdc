import { apiTokenCreatedSchema, apiTokenCreateSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

/** The secret is in this answer only; the server keeps its hash. */
export const createToken = protectedProcedure
  .input(apiTokenCreateSchema)
  .output(apiTokenCreatedSchema)
  .mutation(async ({ ctx, input }) => {
    const created = await ctx.services.tokens.create(ctx.principal, 'me', input);
    return { ...created, token: created.token ?? '' };
  });
