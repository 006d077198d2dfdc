// Lynx object shapes as they travel on the REST API (snake_case, Unix-second times).
// Source of truth for the server's responses and the UI's types; see ../shared/lynx-api.md §1.
import { z } from 'zod';

export const metaMapSchema = z.record(z.string(), z.string());
export type MetaMap = z.infer<typeof metaMapSchema>;

export const addressSchema = z.object({
  address: z.string(),
  city: z.string(),
  country: z.string(),
  zip: z.string(),
});
export type Address = z.infer<typeof addressSchema>;

/** Single-key meta object. Go clients send `Value`/`Protected`; we always answer lower case. */
export const metaObjectSchema = z.object({ value: z.string(), protected: z.boolean() });
export type MetaObject = z.infer<typeof metaObjectSchema>;

export const installationInfoSchema = z.object({
  id: z.number().int(),
  client_id: z.number().int(),
  name: z.string(),
  timezone: z.string(),
  capabilities: z.array(z.string()),
  organization_id: z.number().int(),
  assigned: z.boolean(),
});
export type InstallationInfo = z.infer<typeof installationInfoSchema>;

export const installationSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  client_id: z.number().int(),
  created: z.number().int(),
  organization_id: z.number().int(),
  notes: z.string(),
  users: z.array(z.number().int()),
  meta: metaMapSchema,
  protected_meta: metaMapSchema,
});
export type Installation = z.infer<typeof installationSchema>;

/** DeviceX and FunctionX share one shape (spec 1.7, 1.8). */
export const xObjectSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  installation_id: z.number().int(),
  meta: metaMapSchema,
  protected_meta: metaMapSchema,
  created: z.number().int(),
  updated: z.number().int(),
});
export type DeviceX = z.infer<typeof xObjectSchema>;
export type FunctionX = z.infer<typeof xObjectSchema>;

export const organizationSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  address: addressSchema,
  email: z.string(),
  phone: z.string(),
  notes: z.string(),
  force_sms_login: z.boolean(),
  parent: z.number().int(),
  children: z.array(z.object({ id: z.number().int(), name: z.string() })),
  password_valid_days: z.number().int(),
  meta: metaMapSchema,
  protected_meta: metaMapSchema,
});
export type Organization = z.infer<typeof organizationSchema>;

export const userSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  mobile: z.string(),
  note: z.string(),
  role: z.number().int(),
  sms_login: z.boolean(),
  address: addressSchema,
  organisations: z.array(z.number().int()),
  assigned_installations: z.array(z.number().int()),
  expire_at: z.number().int(),
  meta: metaMapSchema,
  protected_meta: metaMapSchema,
});
export type User = z.infer<typeof userSchema>;

/** One stored data point as the status and log endpoints return it (spec 1.10). */
export const logEntrySchema = z.object({
  client_id: z.number().int(),
  installation_id: z.number().int(),
  topic: z.string(),
  value: z.number(),
  msg: z.string(),
  timestamp: z.number(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export const logPageSchema = z.object({
  total: z.number().int(),
  last: z.number(),
  count: z.number().int(),
  data: z.array(logEntrySchema),
});
export type LogPage = z.infer<typeof logPageSchema>;

/**
 * One audit trace entry (spec 1.14). The id is a string: go-lynx decodes it as one and Go's
 * decoding is strict, while node-lynx only types it. `action` and `object_type` stay plain strings
 * so a reader built today still accepts kinds added later.
 */
export const traceEntrySchema = z.object({
  id: z.string(),
  path: z.string(),
  method: z.string(),
  /** Unix seconds with milliseconds. */
  timestamp: z.number(),
  user_id: z.number().int(),
  action: z.string(),
  object_type: z.string(),
  object_id: z.number().int(),
  description: z.string(),
});
export type TraceEntry = z.infer<typeof traceEntrySchema>;

/** `GET /api/v2/trace`: `last` is the timestamp of the page's last entry (0 when empty), as for the log. */
export const traceListSchema = z.object({
  total: z.number().int(),
  last: z.number(),
  count: z.number().int(),
  data: z.array(traceEntrySchema),
});
export type TraceList = z.infer<typeof traceListSchema>;

export const messageResponseSchema = z.object({ message: z.string() });
export type MessageResponse = z.infer<typeof messageResponseSchema>;

/** `GET /api/v2/organization?minimal=true`; go-lynx decodes `parent` as a number (root: 0). */
export const organizationMinimalSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  parent: z.number().int(),
});
export type OrganizationMinimal = z.infer<typeof organizationMinimalSchema>;

/** Spec 1.4: roles are global; `priority` bounds which users and roles a holder may manage. */
export const roleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  priority: z.number().int(),
  permissions: z.record(z.string(), z.boolean()),
});
export type Role = z.infer<typeof roleSchema>;

/**
 * Spec 1.6: what an edge client is configured with (`/etc/iot-open/iotopen.json`). The password is
 * only ever in the response that created it; `mqtt_broker` is `host:port`.
 */
export const gatewayInformationSchema = z.object({
  client_id: z.number().int(),
  installation_id: z.number().int(),
  api: z.string(),
  aam: z.string(),
  mqtt_broker: z.string(),
  mqtt_username: z.string(),
  mqtt_password: z.string(),
  mqtt_client_id: z.string(),
  timezone: z.string(),
});
export type GatewayInformation = z.infer<typeof gatewayInformationSchema>;

/** `GET /api/v2/permission`: every known key, true when the caller holds it. */
export const permissionMapSchema = z.record(z.string(), z.boolean());
export type PermissionMap = z.infer<typeof permissionMapSchema>;

// Write shapes for typed callers (our UI over tRPC). REST bodies are parsed more leniently by the
// services, since Lynx clients send zero values and extra fields.
export const organizationWriteSchema = organizationSchema.omit({ id: true, children: true }).partial();
export type OrganizationWrite = z.infer<typeof organizationWriteSchema>;

export const userWriteSchema = userSchema
  .omit({ id: true })
  .partial()
  .extend({ password: z.string().optional() });
export type UserWrite = z.infer<typeof userWriteSchema>;

export const roleWriteSchema = roleSchema.omit({ id: true }).partial();
export type RoleWrite = z.infer<typeof roleWriteSchema>;
