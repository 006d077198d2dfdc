import { overviewSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

/** Installations the caller may list, with size, activity and problems. */
export const overview = protectedProcedure.output(overviewSchema).query(({ ctx }) => ctx.services.overview.overview(ctx.principal));
