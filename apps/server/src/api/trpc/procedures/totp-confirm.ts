import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const totpConfirmInput = z.object({ code: z.string() });
export const totpConfirmOutput = z.object({ message: z.string(), enabled: z.boolean(), recovery_codes_left: z.number().int() });

export const totpConfirm = protectedProcedure
  .input(totpConfirmInput)
  .output(totpConfirmOutput)
  .mutation(({ ctx, input }) => ctx.services.twoFactor.confirm(ctx.principal, input));
