// What the server-side edge-app runtime reports about a configured instance (its state and log).
import { z } from 'zod';

export const edgeInstanceStateSchema = z.enum(['starting', 'running', 'crashed', 'stopped']);

export const edgeInstanceStatusSchema = z.object({
  instance_id: z.number().int(),
  installation_id: z.number().int(),
  app_id: z.number().int(),
  version: z.string(),
  state: edgeInstanceStateSchema,
  /** Why it is crashed or stopped (null while running normally). */
  reason: z.string().nullable(),
  /** Restarts after crashes since the last stable run. */
  restarts: z.number().int(),
  /** Unix seconds of the last start. */
  started: z.number().nullable(),
});
export type EdgeInstanceStatus = z.infer<typeof edgeInstanceStatusSchema>;

export const edgeInstanceLogEntrySchema = z.object({
  time: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
});
export type EdgeInstanceLogEntry = z.infer<typeof edgeInstanceLogEntrySchema>;
