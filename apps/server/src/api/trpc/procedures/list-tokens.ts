import { apiTokenSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

/** The caller's API keys and login sessions with their last use; never their secrets. */
export const listTokens = protectedProcedure
  .output(z.array(apiTokenSchema))
  .query(({ ctx }) => ctx.services.tokens.list(ctx.principal, 'me'));
