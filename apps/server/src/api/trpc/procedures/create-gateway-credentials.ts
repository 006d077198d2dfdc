import { gatewayInformationSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const createGatewayCredentialsInput = z.object({ installation_id: z.number().int().positive() });

/** Creates or regenerates (revoking the previous) an installation's gateway credentials. */
export const createGatewayCredentials = protectedProcedure
  .input(createGatewayCredentialsInput)
  .output(gatewayInformationSchema)
  .mutation(({ ctx, input }) => ctx.services.gateways.issue(ctx.principal, input.installation_id, ctx.origin ?? { protocol: 'http', host: undefined }));
