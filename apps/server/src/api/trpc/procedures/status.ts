import { logEntrySchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const statusInput = z.object({ installationId: z.number().int().positive(), topics: z.array(z.string()).optional() });

export const status = protectedProcedure
  .input(statusInput)
  .output(z.array(logEntrySchema))
  .query(({ ctx, input }) => ctx.services.data.status(ctx.principal, input.installationId, input.topics));
