// The UI has no multipart transport: app.lua and app.json arrive as text, or base64 when read
// from files as bytes.
import { edgeAppVersionSchema } from '@lynx/shared';
import { z } from 'zod';
import { BadRequestError } from '../../../aam/errors.js';
import { protectedProcedure } from '../trpc.js';

const content = z.union([z.object({ text: z.string() }), z.object({ base64: z.string().regex(/^[A-Za-z0-9+/=\s]*$/, 'expected base64') })]);

export const uploadEdgeAppVersionInput = z.object({ id: z.number().int().positive(), lua: content, json: content });

function decode(value: z.infer<typeof content>, part: string): string {
  if ('text' in value) return value.text;
  const bytes = Buffer.from(value.base64, 'base64');
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new BadRequestError(`${part} is not UTF-8 text`);
  return text;
}

export const uploadEdgeAppVersion = protectedProcedure
  .input(uploadEdgeAppVersionInput)
  .output(edgeAppVersionSchema)
  .mutation(({ ctx, input }) => ctx.services.edgeApps.uploadVersion(ctx.principal, input.id, { lua: decode(input.lua, 'app_lua'), json: decode(input.json, 'app_json') }));
