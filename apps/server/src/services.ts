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
import type { DataService } from './processors/storage/data-service.js';
import type { IngestStatsService } from './processors/storage/ingest-stats.js';

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
}
