import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const ingestStatsInput = z.object({ installationId: z.number().int().positive() });
export const ingestStatsOutput = z.object({ installation_id: z.number().int(), rejected_payloads: z.number().int() });

export const ingestStats = protectedProcedure
  .input(ingestStatsInput)
  .output(ingestStatsOutput)
  .query(({ ctx, input }) => ctx.services.ingest.forInstallation(ctx.principal, input.installationId));
