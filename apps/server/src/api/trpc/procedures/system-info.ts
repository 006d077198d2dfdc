import { systemInfoSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

/** Server administrators only. */
export const systemInfo = protectedProcedure.output(systemInfoSchema).query(({ ctx }) => ctx.services.system.info(ctx.principal));
