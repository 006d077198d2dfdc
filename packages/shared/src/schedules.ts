// Schedules (spec 1.13, 2.10): a cron-timed publish of one value on one installation topic.
import { z } from 'zod';

export const scheduleSchema = z.object({
  id: z.number().int(),
  installation_id: z.number().int(),
  /** `server` (run by this server), `edge_client` (run by the gateway), or a third party's name. */
  executor: z.string(),
  active: z.boolean(),
  day_of_week: z.string(),
  day_of_month: z.string(),
  month: z.string(),
  hour: z.string(),
  minute: z.string(),
  /** Relative to the installation (no client id). */
  topic: z.string(),
  value: z.number(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

/** What the UI sends to create or replace a schedule; the server also takes `value` as a numeric string. */
export const scheduleWriteSchema = scheduleSchema
  .omit({ id: true, installation_id: true, created_at: true, updated_at: true })
  .partial()
  .extend({ value: z.union([z.number(), z.string()]).optional() });
export type ScheduleWrite = z.infer<typeof scheduleWriteSchema>;
