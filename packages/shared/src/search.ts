// Search (spec 1.18 SearchResult, 2.12 `GET /api/v3beta/search`).
import { z } from 'zod';

export const searchTypes = ['installation', 'device', 'function'] as const;
export type SearchType = (typeof searchTypes)[number];

export const searchEntrySchema = z.object({
  type: z.enum(searchTypes),
  id: z.number().int(),
  installation_id: z.number().int(),
  name: z.string(),
  description: z.string(),
  created: z.number().int(),
  updated: z.number().int(),
  /** Meta entries whose value matched `q`; empty without `q`. */
  meta_matches: z.record(z.string(), z.string()),
  /** The object's meta the caller may see. */
  metadata: z.record(z.string(), z.string()),
});
export type SearchEntry = z.infer<typeof searchEntrySchema>;

export const searchResultSchema = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  q: z.string().optional(),
  types: z.array(z.enum(searchTypes)).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  results: z.array(searchEntrySchema),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

/** tRPC input; REST takes the same as query parameters (`types=a,b`, `metadata.<key>=<value>`). */
export const searchQuerySchema = z.object({
  q: z.string().optional(),
  types: z.array(z.enum(searchTypes)).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  limit: z.number().int().nonnegative().optional(),
  offset: z.number().int().nonnegative().optional(),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;
