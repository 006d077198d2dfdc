import { edgeAppSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listEdgeApps = protectedProcedure.output(z.array(edgeAppSchema)).query(({ ctx }) => ctx.services.edgeApps.list(ctx.principal));
