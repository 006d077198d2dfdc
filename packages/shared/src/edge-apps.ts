// Edge-app shapes (spec 1.12, 2.9) as they travel on the REST API and tRPC.
import { z } from 'zod';

export const edgeAppPublisherRefSchema = z.object({ id: z.number().int(), name: z.string().optional() });

export const edgeAppSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  short_description: z.string(),
  description: z.string(),
  publisher: edgeAppPublisherRefSchema,
  official: z.boolean(),
  public: z.boolean(),
  source_url: z.string(),
  created: z.number().int(),
  updated: z.number().int(),
});
export type EdgeApp = z.infer<typeof edgeAppSchema>;

/** Publisher id is the organization id. */
export const edgeAppPublisherSchema = z.object({ id: z.number().int(), name: z.string(), apps: z.array(edgeAppSchema) });
export type EdgeAppPublisher = z.infer<typeof edgeAppPublisherSchema>;

/** `name` is "" until the hash is published under a release name. */
export const edgeAppVersionSchema = z.object({ name: z.string(), hash: z.string(), timestamp: z.number().int() });
export type EdgeAppVersion = z.infer<typeof edgeAppVersionSchema>;

export const edgeAppInstanceSchema = z.object({
  id: z.number().int(),
  app_id: z.number().int(),
  installation_id: z.number().int(),
  /** Release name or hash. */
  version: z.string(),
  config: z.record(z.string(), z.unknown()),
  name: z.string(),
  created: z.number().int(),
  updated: z.number().int(),
});
export type EdgeAppInstance = z.infer<typeof edgeAppInstanceSchema>;

/** What the UI sends to create or replace a catalogue entry (snake_case, as REST). */
export const edgeAppWriteSchema = z.object({
  name: z.string().optional(),
  category: z.string().optional(),
  tags: z.array(z.string()).optional(),
  short_description: z.string().optional(),
  description: z.string().optional(),
  publisher: z.object({ id: z.number().int() }).optional(),
  official: z.boolean().optional(),
  public: z.boolean().optional(),
  source_url: z.string().optional(),
});
export type EdgeAppWrite = z.infer<typeof edgeAppWriteSchema>;

export const edgeAppInstanceWriteSchema = z.object({
  app_id: z.number().int().optional(),
  version: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  name: z.string().optional(),
});
export type EdgeAppInstanceWrite = z.infer<typeof edgeAppInstanceWriteSchema>;
