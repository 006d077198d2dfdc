import { historyAggregationSchema, logPageSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const dataHistoryInput = z.object({
  installationId: z.number().int().positive(),
  /** Relative (`obj/x`) or prefixed topics; empty or absent means every topic. */
  topics: z.array(z.string()).max(1000).optional(),
  /** Unix seconds, inclusive. */
  from: z.number().optional(),
  to: z.number().optional(),
  limit: z.number().int().min(0).optional(),
  offset: z.number().int().min(0).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  /** Buckets of `interval` reduced by `method`, as REST `aggr_method` / `aggr_interval`. */
  aggregation: historyAggregationSchema.optional(),
});

/** History through the same reads as REST `/api/v3beta/log`; row topics are prefixed (`<client_id>/obj/...`). */
export const dataHistory = protectedProcedure
  .input(dataHistoryInput)
  .output(logPageSchema)
  .query(({ ctx, input }) =>
    ctx.services.data.log(
      ctx.principal,
      input.installationId,
      {
        from: input.from,
        to: input.to,
        limit: input.limit,
        offset: input.offset,
        order: input.order,
        aggr_method: input.aggregation?.method,
        aggr_interval: input.aggregation?.interval,
      },
      input.topics?.length ? input.topics : undefined,
    ),
  );
