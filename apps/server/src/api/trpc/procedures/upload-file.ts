// The UI sends a file as base64 in JSON (tRPC has no multipart); the service applies the same
// type and size rules as the REST upload.
import { storedFileSchema } from '@lynx/shared';
import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';
import { fileOwnerInput } from './file-owner-input.js';

export const uploadFile = protectedProcedure
  .input(
    z.object({
      owner: fileOwnerInput,
      name: z.string().min(1).max(255),
      mime: z.string().max(255).optional(),
      contentBase64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
    }),
  )
  .output(storedFileSchema)
  .mutation(async ({ ctx, input }) => {
    const [file] = await ctx.services.files.upload(ctx.principal, input.owner, [
      { field: 'file', filename: input.name, mime: input.mime, data: Buffer.from(input.contentBase64, 'base64') },
    ]);
    return file;
  });
