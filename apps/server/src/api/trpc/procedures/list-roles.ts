import { roleSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const listRoles = protectedProcedure.output(z.array(roleSchema)).query(({ ctx }) => ctx.services.roles.list(ctx.principal));
