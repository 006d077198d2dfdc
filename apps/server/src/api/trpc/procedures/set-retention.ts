import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';
import { retentionPeriodSchema, retentionSettingOutput } from './get-retention.js';

export const setRetentionInput = z.object({
  installationId: z.number().int().positive(),
  /** null = back to the server defaults. */
  period: retentionPeriodSchema.nullable(),
});

/** Takes effect at the next hourly sweep; shortening deletes data for good. */
export const setRetention = protectedProcedure
  .input(setRetentionInput)
  .output(retentionSettingOutput)
  .mutation(({ ctx, input }) => ctx.services.retention.set(ctx.principal, input.installationId, input.period));
