import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

const count = z.number().int().nonnegative();

export const systemBackupOutput = z.object({
  file: z.string(),
  size: count,
  aam_rows: count,
  points: count,
  broker_keys: count,
  files: count,
});

/** A backup of the running server into <dataDir>/backups/; server administrators only. */
export const systemBackup = protectedProcedure.output(systemBackupOutput).mutation(async ({ ctx }) => {
  const r = await ctx.services.backups.create(ctx.principal);
  return {
    file: r.file,
    size: r.size,
    aam_rows: Object.values(r.counts.aamRows).reduce((a, b) => a + b, 0),
    points: r.counts.timeSeries.points,
    broker_keys: r.counts.broker.keys,
    files: r.counts.files,
  };
});
