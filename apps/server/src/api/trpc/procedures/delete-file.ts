import { messageResponseSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';
import { fileOwnerInput } from './file-owner-input.js';

export const deleteFile = protectedProcedure
  .input(z.object({ owner: fileOwnerInput, id: z.number().int().positive() }))
  .output(messageResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.files.delete(ctx.principal, input.owner, input.id));
