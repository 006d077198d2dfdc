// API tokens as the admin UI lists and creates them (spec 1.16). The secret is present only in the
// answer to `tokens.create`, never in a list.
import { z } from 'zod';

export const apiTokenSchema = z.object({
  id: z.number().int(),
  /** `api` for keys made by hand, `login` for sessions. */
  type: z.string(),
  name: z.string(),
  created: z.number().int(),
  /** Unix seconds; 0 never expires. */
  expire: z.number().int(),
  session_timeout: z.number().int(),
  permissions: z.array(z.string()).optional(),
  /** Unix seconds of the last authenticated use; 0 never used. */
  last_used: z.number().int(),
  /** The token of this very session. */
  current: z.boolean(),
  agent: z.string(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const apiTokenCreatedSchema = apiTokenSchema.extend({ token: z.string() });
export type ApiTokenCreated = z.infer<typeof apiTokenCreatedSchema>;

export const apiTokenCreateSchema = z.object({
  name: z.string().max(200),
  /** Unix seconds; 0 or absent never expires. */
  expire: z.number().int().min(0).optional(),
  /** A subset of the caller's permissions; absent means all of them. */
  permissions: z.array(z.string()).optional(),
});
export type ApiTokenCreate = z.infer<typeof apiTokenCreateSchema>;
