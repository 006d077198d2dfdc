import { z } from 'zod';
import { publicProcedure } from '../trpc.js';

export const healthOutput = z.object({ status: z.literal('ok'), time: z.number() });

export const health = publicProcedure.output(healthOutput).query(() => ({ status: 'ok' as const, time: Date.now() / 1000 }));
