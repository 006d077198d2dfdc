import { storedFileSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';
import { fileOwnerInput } from './file-owner-input.js';

export const getFile = protectedProcedure
  .input(z.object({ owner: fileOwnerInput, id: z.number().int().positive() }))
  .output(storedFileSchema)
  .query(({ ctx, input }) => ctx.services.files.get(ctx.principal, input.owner, input.id));
