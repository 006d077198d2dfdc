import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const revokeTokenInput = z.object({ id: z.number().int().positive() });

/** Works at once everywhere: REST looks tokens up per request, MQTT connections using it are closed. */
export const revokeToken = protectedProcedure
  .input(revokeTokenInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.tokens.delete(ctx.principal, 'me', input.id));
