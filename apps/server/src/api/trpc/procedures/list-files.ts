import { storedFileSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';
import { fileOwnerInput } from './file-owner-input.js';

export const listFiles = protectedProcedure
  .input(z.object({ owner: fileOwnerInput }))
  .output(z.array(storedFileSchema))
  .query(({ ctx, input }) => ctx.services.files.list(ctx.principal, input.owner));
