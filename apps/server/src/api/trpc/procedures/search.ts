import { searchQuerySchema, searchResultSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const search = protectedProcedure
  .input(searchQuerySchema)
  .output(searchResultSchema)
  .query(({ ctx, input }) => ctx.services.search.search(ctx.principal, input));
