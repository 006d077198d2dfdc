import { edgeInstanceLogEntrySchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const edgeInstanceLogsInput = z.object({
  installationId: z.number().int().positive(),
  instanceId: z.number().int().positive(),
  /** Newest entries to return (the runtime keeps the last 500). */
  limit: z.number().int().positive().max(10_000).optional(),
});

export const edgeInstanceLogs = protectedProcedure
  .input(edgeInstanceLogsInput)
  .output(z.array(edgeInstanceLogEntrySchema))
  .query(({ ctx, input }) => ctx.services.edgeRuntime.instanceLogs(ctx.principal, input.installationId, input.instanceId, input.limit));
