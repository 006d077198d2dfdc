import { permissionMapSchema } from '@lynx/shared';
import { protectedProcedure } from '../trpc.js';

/** The caller's effective permission map, as `GET /api/v2/permission`. */
export const permissions = protectedProcedure.output(permissionMapSchema).query(({ ctx }) => ctx.services.roles.permissions(ctx.principal));
