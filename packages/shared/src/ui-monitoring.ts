// What the admin UI shows about the running platform: the overview per installation and the
// system page (version, uptime, broker, storage, recent log lines).
import { z } from 'zod';

export const installationOverviewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  client_id: z.number().int(),
  organization_id: z.number().int(),
  devices: z.number().int(),
  functions: z.number().int(),
  /** MQTT client ids that published on the installation in the last five minutes. */
  active_clients: z.array(z.string()),
  /** Messages per second over the last ten seconds. */
  messages_per_second: z.number(),
  /** Unix seconds of the last message on the installation's topics; null if none since start. */
  last_activity: z.number().nullable(),
  problems: z.object({
    /** Payloads since start that were not valid values and were not stored; null without `log/read`. */
    bad_payloads: z.number().int().nullable(),
    /** Notification deliveries that failed for good; null without the right to list outputs. */
    failed_notifications: z.number().int().nullable(),
    /** Edge-app instances that are stopped or crashed; null without the right to list them. */
    stopped_edge_apps: z.number().int().nullable(),
  }),
});
export type InstallationOverview = z.infer<typeof installationOverviewSchema>;

export const overviewSchema = z.object({
  installations: z.array(installationOverviewSchema),
  /** Connected MQTT clients on the whole broker. */
  broker_clients: z.number().int(),
  messages_per_second: z.number(),
});
export type Overview = z.infer<typeof overviewSchema>;

export const systemInfoSchema = z.object({
  version: z.string(),
  node_version: z.string(),
  /** Seconds since the server started. */
  uptime: z.number(),
  started: z.number(),
  broker: z.object({ clients: z.number().int(), received: z.number().int(), server_published: z.number().int() }),
  /** Bytes on disk per part of the data dir; null where it is not a local file (PostgreSQL). */
  storage: z.object({ aam_db: z.number().int().nullable(), tsdb: z.number().int(), mqtt: z.number().int(), files: z.number().int() }),
  data_dir: z.string(),
  database: z.string(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

export const serverLogLineSchema = z.object({
  /** Milliseconds since the epoch. */
  time: z.number(),
  /** pino level name: trace, debug, info, warn, error, fatal. */
  level: z.string(),
  msg: z.string(),
  component: z.string().nullable(),
  /** The whole JSON line as logged (secrets are never logged). */
  line: z.string(),
});
export type ServerLogLine = z.infer<typeof serverLogLineSchema>;
