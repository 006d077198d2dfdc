import { userSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

export const me = protectedProcedure.output(userSchema).query(({ ctx }) => ctx.services.users.me(ctx.principal));
