// Bodies the admin UI sends to create or replace installations, devices and functions. Kept loose
// on purpose (every field optional, plain types): the services validate them and answer the same
// `invalid <field>: ...` messages as REST, which the UI shows next to the form.
import { z } from 'zod';
import { metaMapSchema } from './lynx-objects.js';

export const installationWriteSchema = z.object({
  name: z.string().optional(),
  organization_id: z.number().int().optional(),
  notes: z.string().optional(),
  timezone: z.string().optional(),
  users: z.array(z.number().int()).optional(),
  meta: metaMapSchema.optional(),
  protected_meta: metaMapSchema.optional(),
});
export type InstallationWrite = z.infer<typeof installationWriteSchema>;

export const xObjectWriteSchema = z.object({
  type: z.string().optional(),
  meta: metaMapSchema.optional(),
  protected_meta: metaMapSchema.optional(),
});
export type XObjectWrite = z.infer<typeof xObjectWriteSchema>;
