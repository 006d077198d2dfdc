import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const resetGatewayCredentialsInput = z.object({ installation_id: z.number().int().positive() });

/** Revokes an installation's gateway credentials without issuing new ones. */
export const resetGatewayCredentials = protectedProcedure
  .input(resetGatewayCredentialsInput)
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.gateways.reset(ctx.principal, input.installation_id));
