// Notification objects (spec 1.11) as the REST API answers them and the UI reads them.
import { z } from 'zod';

export const notificationConfigSchema = z.record(z.string(), z.string());

export const notificationMessageSchema = z.object({
  id: z.number().int(),
  installation_id: z.number().int(),
  name: z.string(),
  /** Go text/template source. */
  text: z.string(),
});
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;

export const notificationOutputSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  installation_id: z.number().int(),
  notification_output_executor_id: z.number().int(),
  notification_message_id: z.number().int(),
  config: notificationConfigSchema,
});
export type NotificationOutput = z.infer<typeof notificationOutputSchema>;

/** Executor types the server delivers itself; any other type is delivered as a webhook. */
export const builtinExecutorTypes = ['webhook', 'email'] as const;

/** Stands for a stored secret in answers; sending it back keeps the stored one. */
export const maskedSecret = '********';

export const notificationExecutorSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  name: z.string(),
  organization_id: z.number().int(),
  config: notificationConfigSchema,
  /** Write only: answers carry `maskedSecret` when one is stored, "" otherwise. */
  secret: z.string(),
});
export type NotificationExecutor = z.infer<typeof notificationExecutorSchema>;

export const notificationDeliveryStatuses = ['pending', 'sent', 'failed'] as const;

export const notificationDeliverySchema = z.object({
  id: z.number().int(),
  output_id: z.number().int(),
  installation_id: z.number().int(),
  status: z.enum(notificationDeliveryStatuses),
  attempts: z.number().int(),
  /** Unix seconds of the next attempt while pending. */
  next_attempt: z.number().int(),
  /** Why the last attempt failed ("" after success). */
  last_error: z.string(),
  /** The rendered message text that was (or will be) delivered. */
  message: z.string(),
  created: z.number().int(),
  updated: z.number().int(),
});
export type NotificationDelivery = z.infer<typeof notificationDeliverySchema>;

export const notificationDeliveriesSchema = z.object({
  deliveries: z.array(notificationDeliverySchema),
  /** Counts over every stored delivery of the installation, for the overview. */
  counts: z.object({ pending: z.number().int(), sent: z.number().int(), failed: z.number().int() }),
});
export type NotificationDeliveries = z.infer<typeof notificationDeliveriesSchema>;
