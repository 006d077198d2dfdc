import { organizationMinimalSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

/** The minimal list (`{id, name, parent}`), enough to draw the tree. */
export const organizationTree = protectedProcedure
  .output(z.array(organizationMinimalSchema))
  .query(({ ctx }) => ctx.services.organizations.listMinimal(ctx.principal));
