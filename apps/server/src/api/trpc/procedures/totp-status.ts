import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const totpStatusOutput = z.object({ enabled: z.boolean(), recovery_codes_left: z.number().int() });

export const totpStatus = protectedProcedure.output(totpStatusOutput).query(({ ctx }) => ctx.services.twoFactor.status(ctx.principal));
