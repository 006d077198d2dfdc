import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

const days = z.number().int('expected whole days').min(0, 'expected 0 (forever) or more days').max(36_500, 'expected at most 36,500 days');

/** Days raw points (rawDays) and rollups (rollupDays) are kept; 0 = forever. */
export const retentionPeriodSchema = z.object({ rawDays: days, rollupDays: days });

export const retentionSettingOutput = z.object({
  installationId: z.number().int(),
  /** What the hourly sweep applies: the override when set, else the defaults. */
  effective: retentionPeriodSchema,
  /** The installation's own setting; null = server defaults. */
  override: retentionPeriodSchema.nullable(),
  defaults: retentionPeriodSchema,
});

export const getRetentionInput = z.object({ installationId: z.number().int().positive() });

/** The installation's time-series retention (needs its update right). */
export const getRetention = protectedProcedure
  .input(getRetentionInput)
  .output(retentionSettingOutput)
  .query(({ ctx, input }) => ctx.services.retention.get(ctx.principal, input.installationId));
