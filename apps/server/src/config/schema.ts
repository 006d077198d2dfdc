// The server's configuration: one zod schema, filled from defaults, then a YAML file, then the
// environment, then command-line flags (later sources win).
import { z } from 'zod';

const port = z.coerce
  .number({ error: 'expected a port number' })
  .int('expected a whole port number')
  .min(0, 'expected a port between 0 and 65535 (0 = any free port)')
  .max(65535, 'expected a port between 0 and 65535 (0 = any free port)');

export const configSchema = z
  .object({
    host: z.string().min(1, 'expected a host name or address'),
    httpPort: port,
    mqttPort: port,
    dataDir: z.string().min(1, 'expected a folder path'),
    /** `file:<path>` for SQLite; defaults to <dataDir>/aam.db. */
    databaseUrl: z.string().regex(/^(file:|postgres(ql)?:\/\/)/, 'expected file:<path> (SQLite) or postgresql://...').optional(),
    adminEmail: z.email('expected an e-mail address'),
    /** When absent on first start, a random password is generated and printed once. */
    adminPassword: z.string().min(8, 'expected at least 8 characters').optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /** Largest accepted MQTT value payload; bigger ones are counted as bad and not stored. */
    maxPayloadBytes: z.coerce.number({ error: 'expected a number of bytes' }).int().min(64).max(1_048_576),
    /** Largest accepted file upload (files, edge-app versions); bigger ones answer 413. */
    maxUploadBytes: z.coerce.number({ error: 'expected a number of bytes' }).int().min(1024).max(1_073_741_824),
    /** Outgoing mail (password reset tokens, notifications); without it they are only logged. */
    smtpUrl: z.string().regex(/^smtps?:\/\/[^/\s]+/, 'expected smtp://user:password@host:587 or smtps://user:password@host:465').optional(),
    /** Sender of outgoing mail: an address, or `Name <address>`. */
    mailFrom: z.string().min(3, 'expected an e-mail address or Name <address>').max(320).optional(),
    /** CPU time one edge-app callback may use (waiting on lynx/http replies does not count). */
    edgeCallbackTimeoutMs: z.coerce.number({ error: 'expected milliseconds' }).int('expected whole milliseconds').min(10).max(600_000),
    /** Lua memory of one edge-app instance. */
    edgeMemoryMb: z.coerce.number({ error: 'expected megabytes' }).int('expected whole megabytes').min(1).max(4096),
    /** Edge-app instances run at once (each is a worker thread); further ones are not started. */
    edgeMaxInstances: z.coerce.number({ error: 'expected a number of instances' }).int('expected a whole number').min(0).max(100_000),
    /** Days the audit trace is kept; 0 keeps it forever. */
    traceRetentionDays: z.coerce.number({ error: 'expected a number of days' }).int('expected whole days').min(0).max(36_500),
    /** Days finished notification deliveries are kept; 0 keeps them forever. */
    deliveryRetentionDays: z.coerce.number({ error: 'expected a number of days' }).int('expected whole days').min(0).max(36_500),
    /** Days raw time-series points are kept, unless an installation sets its own; 0 keeps them forever. */
    retentionDays: z.coerce.number({ error: 'expected a number of days' }).int('expected whole days').min(0).max(36_500),
    /** Days time-series rollups (minute, hour, day summaries) are kept; 0 keeps them forever. */
    rollupRetentionDays: z.coerce.number({ error: 'expected a number of days' }).int('expected whole days').min(0).max(36_500),
    /** Cluster mode (several nodes behind a load balancer): needs PostgreSQL and Redis. See cluster/README.md. */
    cluster: z.preprocess(parseFlag, z.boolean({ error: 'expected true or false' })).optional(),
    /** Redis shared by the cluster's nodes (MQTT routing, broker sessions, cache invalidation). */
    redisUrl: z.string().regex(/^rediss?:\/\/[^\s]*$/, 'expected redis://[user:password@]host:6379[/db] or rediss://…').optional(),
    /** Prefix of this cluster's Redis channels and keys, so several clusters can share one Redis. */
    redisPrefix: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 letters, digits or _ . : -').optional(),
    /** This node's name in the cluster (logs, readiness, broker id); default host name and port. */
    nodeId: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'expected 1-100 letters, digits or _ . : -').optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.cluster) return;
    if (!c.databaseUrl || !/^postgres(ql)?:\/\//.test(c.databaseUrl)) {
      ctx.addIssue({ code: 'custom', path: ['databaseUrl'], message: 'cluster mode needs a shared PostgreSQL database (postgresql://…), SQLite is per node' });
    } else if (!c.redisUrl) {
      ctx.addIssue({ code: 'custom', path: ['redisUrl'], message: 'cluster mode needs a Redis URL (redis://host:6379/0)' });
    }
  });

/** Environment and YAML spell booleans in several ways; anything else is left for zod to refuse. */
function parseFlag(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return value;
}

export type ServerConfig = z.infer<typeof configSchema> & { databaseUrl: string };

export const defaults = {
  host: '0.0.0.0',
  httpPort: 8080,
  mqttPort: 1883,
  dataDir: './data',
  adminEmail: 'admin@lynx.local',
  logLevel: 'info',
  maxPayloadBytes: 65536,
  // node-lynx refuses larger files client side (spec 1.15).
  maxUploadBytes: 31_457_280,
  edgeCallbackTimeoutMs: 2000,
  edgeMemoryMb: 32,
  edgeMaxInstances: 200,
  traceRetentionDays: 365,
  deliveryRetentionDays: 30,
  // Time series are kept until an operator decides otherwise (globally or per installation).
  retentionDays: 0,
  rollupRetentionDays: 0,
} as const;

/** Where each key can be set; used by --help and to name the source of a bad value. */
export const configKeys: Record<keyof z.infer<typeof configSchema>, { env: string; flag?: string; help: string; secret?: true; boolean?: true }> = {
  host: { env: 'LYNX_HOST', flag: '--host', help: `address to listen on (default ${defaults.host})` },
  httpPort: { env: 'LYNX_HTTP_PORT', flag: '--http-port', help: `REST, tRPC and MQTT-over-WebSocket port (default ${defaults.httpPort}; 0 = any free port)` },
  mqttPort: { env: 'LYNX_MQTT_PORT', flag: '--mqtt-port', help: `MQTT TCP port (default ${defaults.mqttPort}; 0 = any free port)` },
  dataDir: { env: 'LYNX_DATA_DIR', flag: '--data-dir', help: `folder for the database, time series and broker state (default ${defaults.dataDir})` },
  databaseUrl: { env: 'LYNX_DATABASE_URL', flag: '--database-url', help: 'AAM database: file:<path> (SQLite, default <data-dir>/aam.db) or postgresql://user:password@host:port/database' },
  adminEmail: { env: 'LYNX_ADMIN_EMAIL', flag: '--admin-email', help: `e-mail of the admin user created on first start (default ${defaults.adminEmail})` },
  adminPassword: { env: 'LYNX_ADMIN_PASSWORD', help: 'password of that admin; generated and printed once when unset', secret: true },
  logLevel: { env: 'LYNX_LOG_LEVEL', flag: '--log-level', help: `fatal, error, warn, info, debug, trace or silent (default ${defaults.logLevel})` },
  maxPayloadBytes: { env: 'LYNX_MAX_PAYLOAD_BYTES', flag: '--max-payload-bytes', help: `largest stored MQTT payload in bytes (default ${defaults.maxPayloadBytes})` },
  maxUploadBytes: { env: 'LYNX_MAX_UPLOAD_BYTES', flag: '--max-upload-bytes', help: `largest accepted file or edge-app upload in bytes (default ${defaults.maxUploadBytes}, 30 MiB)` },
  smtpUrl: { env: 'LYNX_SMTP_URL', flag: '--smtp-url', help: 'SMTP server for outgoing mail, smtp://user:password@host:587 or smtps://…:465 (default: none, mail is only logged)', secret: true },
  mailFrom: { env: 'LYNX_MAIL_FROM', flag: '--mail-from', help: 'sender of outgoing mail (default Lynx <noreply@lynx.local>)' },
  edgeCallbackTimeoutMs: { env: 'LYNX_EDGE_CALLBACK_TIMEOUT_MS', flag: '--edge-callback-timeout-ms', help: `CPU time an edge-app callback may use before the instance is stopped (default ${defaults.edgeCallbackTimeoutMs})` },
  edgeMemoryMb: { env: 'LYNX_EDGE_MEMORY_MB', flag: '--edge-memory-mb', help: `Lua memory per edge-app instance in MB (default ${defaults.edgeMemoryMb})` },
  edgeMaxInstances: { env: 'LYNX_EDGE_MAX_INSTANCES', flag: '--edge-max-instances', help: `edge-app instances run at once (default ${defaults.edgeMaxInstances})` },
  traceRetentionDays: { env: 'LYNX_TRACE_RETENTION_DAYS', flag: '--trace-retention-days', help: `days the audit trace is kept (default ${defaults.traceRetentionDays}; 0 = forever)` },
  deliveryRetentionDays: { env: 'LYNX_DELIVERY_RETENTION_DAYS', flag: '--delivery-retention-days', help: `days finished notification deliveries are kept (default ${defaults.deliveryRetentionDays}; 0 = forever)` },
  retentionDays: { env: 'LYNX_RETENTION_DAYS', flag: '--retention-days', help: `days raw time-series points are kept unless an installation overrides it (default ${defaults.retentionDays}; 0 = forever)` },
  rollupRetentionDays: { env: 'LYNX_ROLLUP_RETENTION_DAYS', flag: '--rollup-retention-days', help: `days time-series rollups are kept, at least as long as raw points (default ${defaults.rollupRetentionDays}; 0 = forever)` },
  cluster: { env: 'LYNX_CLUSTER', flag: '--cluster', boolean: true, help: 'run as one node of a cluster (needs a postgresql:// database URL and --redis-url)' },
  redisUrl: { env: 'LYNX_REDIS_URL', flag: '--redis-url', help: 'Redis of the cluster, redis://[user:password@]host:6379[/db]', secret: true },
  redisPrefix: { env: 'LYNX_REDIS_PREFIX', flag: '--redis-prefix', help: 'prefix of the cluster\'s Redis channels and keys (default lynx:)' },
  nodeId: { env: 'LYNX_NODE_ID', flag: '--node-id', help: 'name of this node in the cluster (default host name and HTTP port)' },
};
