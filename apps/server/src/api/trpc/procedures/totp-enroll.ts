import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const totpEnrollOutput = z.object({ secret: z.string(), otpauth_uri: z.string(), recovery_codes: z.array(z.string()) });

/** Shows the secret (for the QR code) and the recovery codes once; confirm with totpConfirm. */
export const totpEnroll = protectedProcedure.output(totpEnrollOutput).mutation(({ ctx }) => ctx.services.twoFactor.enroll(ctx.principal));
