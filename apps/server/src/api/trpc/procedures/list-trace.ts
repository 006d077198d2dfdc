import { traceListSchema } from '@lynx/shared';
import { z } from 'zod';
import { traceActions, traceObjectTypes } from '../../../aam/audit.js';
import { protectedProcedure } from '../trpc.js';

export const listTraceInput = z
  .object({
    from: z.number().optional(),
    to: z.number().optional(),
    limit: z.number().int().min(0).optional(),
    offset: z.number().int().min(0).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    objectType: z.enum(traceObjectTypes).optional(),
    objectId: z.number().int().min(0).optional(),
    id: z.string().optional(),
    actions: z.array(z.enum(traceActions)).optional(),
  })
  .default({});

export const listTrace = protectedProcedure
  .input(listTraceInput)
  .output(traceListSchema)
  .query(({ ctx, input }) =>
    ctx.services.trace.list(ctx.principal, {
      from: input.from,
      to: input.to,
      limit: input.limit,
      offset: input.offset,
      order: input.order,
      object_type: input.objectType,
      object_id: input.objectId,
      id: input.id,
      action: input.actions,
    }),
  );
