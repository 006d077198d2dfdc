// Live data for the admin UI: last values as they arrive, a tail of an installation's topics, and
// history reads. Topics in `live` and `tail` are relative to the installation (`obj/...`).
import { z } from 'zod';

/** One value as the storage keeps it: `value` is a number or null, `msg` free text. */
export const liveValueSchema = z.object({
  topic: z.string(),
  value: z.number().nullable(),
  msg: z.string(),
  timestamp: z.number(),
});
export type LiveValue = z.infer<typeof liveValueSchema>;

/** `snapshot` first (the current status), then `update` per stored value. */
export const liveEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('snapshot'), values: z.array(liveValueSchema) }),
  z.object({ kind: z.literal('update'), values: z.array(liveValueSchema) }),
]);
export type LiveEvent = z.infer<typeof liveEventSchema>;

export const tailMessageSchema = z.object({
  topic: z.string(),
  /** UTF-8 text of the payload (invalid bytes replaced). */
  payload: z.string(),
  /** Unix seconds (float) when the broker received it. */
  timestamp: z.number(),
  qos: z.number().int(),
  retain: z.boolean(),
  /** MQTT client id of the publisher; null for the server's own messages. */
  publisher: z.string().nullable(),
});
export type TailMessage = z.infer<typeof tailMessageSchema>;

/** Messages, or a note that some were left out because they came faster than the tail's cap. */
export const tailEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), message: tailMessageSchema }),
  z.object({ kind: z.literal('skipped'), count: z.number().int() }),
]);
export type TailEvent = z.infer<typeof tailEventSchema>;

export const historyAggregationSchema = z.object({
  /** avg, min, max, sum, count, first, last, median, stddev, percentile(N)... as REST `aggr_method`. */
  method: z.string().min(1),
  /** Go duration, e.g. `1m0s`, `15m`, `1h`. */
  interval: z.string().min(1),
});
export type HistoryAggregation = z.infer<typeof historyAggregationSchema>;
