// The business services every transport calls (REST, tRPC, MQTT hooks, CLI): one copy of the logic.
import type { AccessPolicy } from './aam/services/access-policy.js';
import type { AuthService } from './aam/services/auth.js';
import type { GatewayCredentialsService } from './aam/services/gateway-credentials.js';
import type { InstallationsService } from './aam/services/installations.js';
import type { OrganizationsService } from './aam/services/organizations.js';
import type { PasswordResetService } from './aam/services/password-reset.js';
import type { TwoFactorService } from './aam/services/two-factor.js';
import type { RolesService } from './aam/services/roles.js';
import type { TokensService } from './aam/services/tokens.js';
import type { TraceService } from './aam/services/trace.js';
import type { UserPasswordsService } from './aam/services/user-passwords.js';
import type { UsersService } from './aam/services/users.js';
import type { XObjectsService } from './aam/services/x-objects.js';
import type { FilesService } from './aam/services/files.js';
import type { EdgeAppCatalogueService } from './processors/edge-apps/catalogue/service.js';
import type { EdgeAppInstancesService } from './processors/edge-apps/instances/service.js';
import type { EdgeRuntime } from './processors/edge-apps/runtime/edge-runtime.js';
import type { SearchService } from './aam/services/search.js';
import type { SchedulesService } from './processors/schedules/schedules-service.js';
import type { NotificationsService } from './processors/notifications/notifications-service.js';
import type { DataService } from './processors/storage/data-service.js';
import type { IngestStatsService } from './processors/storage/ingest-stats.js';
import type { RetentionSettingsService } from './processors/retention/retention-settings.js';
import type { LiveService } from './monitoring/live-service.js';
import type { OverviewService } from './monitoring/overview-service.js';
import type { SystemService } from './monitoring/system-service.js';
import type { SystemBackups } from './backup/system-backups.js';

export interface AppServices {
  auth: AuthService;
  tokens: TokensService;
  users: UsersService;
  passwords: UserPasswordsService;
  /** TOTP enrolment, disabling and admin reset (the login challenge itself is in `auth`). */
  twoFactor: TwoFactorService;
  /** `POST`/`PUT /auth/reset_password`: reset tokens by mail and their use. */
  passwordReset: PasswordResetService;
  organizations: OrganizationsService;
  /** Roles and the caller's effective permission map. */
  roles: RolesService;
  policy: AccessPolicy;
  installations: InstallationsService;
  devices: XObjectsService;
  functions: XObjectsService;
  /** Status (last values) and log (history) reads. */
  data: DataService;
  /** Counters of what storage refused, per installation. */
  ingest: IngestStatsService;
  /** The audit trace (spec 1.14): services record into it, `GET /api/v2/trace` reads it. */
  trace: TraceService;
  /** Gateway (edge client) credentials: issue, reset, authenticate. */
  gateways: GatewayCredentialsService;
  /** Edge-app catalogue, versions and release names (spec 1.12, 2.9). */
  edgeApps: EdgeAppCatalogueService;
  /** Configured edge-app instances per installation; also read by the Lua runtime. */
  edgeAppInstances: EdgeAppInstancesService;
  /** Server-side Lua runtime of configured edge apps (spec 5): their state and logs. */
  edgeRuntime: EdgeRuntime;
  /** Installation and organization files, bytes by hash under <dataDir>/files (spec 1.15, 2.11). */
  files: FilesService;
  /** Schedules (spec 1.13, 2.10); the `server` executor runs in processors/schedules/schedule-runner.ts. */
  schedules: SchedulesService;
  /** Notification messages, outputs, executors and sends (spec 1.11, 2.8); delivery in processors/notifications/delivery-worker.ts. */
  notifications: NotificationsService;
  /** `GET /api/v3beta/search` over installations, devices and functions the caller may list. */
  search: SearchService;
  /** Admin UI live views: last values as they arrive, a message tail, publishing as the caller. */
  live: LiveService;
  /** Admin UI overview: per installation size, activity and problems. */
  overview: OverviewService;
  /** Admin UI system screen: version, uptime, broker, disk use, recent log lines. */
  system: SystemService;
  /** Backups of the running server's stores (control socket, tRPC `system.backup`). */
  backups: SystemBackups;
  /** Time-series retention periods: server defaults and per-installation overrides; the sweep is processors/retention. */
  retention: RetentionSettingsService;
}
