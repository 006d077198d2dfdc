import { serverLogLineSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const systemLogsInput = z
  .object({
    limit: z.number().int().min(1).max(500).default(200),
    minLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).optional(),
  })
  .default({ limit: 200 });

/** Recent server log lines, newest last; server administrators only. */
export const systemLogs = protectedProcedure
  .input(systemLogsInput)
  .output(z.array(serverLogLineSchema))
  .query(({ ctx, input }) => ctx.services.system.logs(ctx.principal, input.limit, input.minLevel));
