// The business services every transport calls (REST, tRPC, MQTT hooks, CLI): one copy of the logic.
import type { AccessPolicy } from './aam/services/access-policy.js';
import type { AuthService } from './aam/services/auth.js';
import type { InstallationsService } from './aam/services/installations.js';
import type { OrganizationsService } from './aam/services/organizations.js';
import type { RolesService } from './aam/services/roles.js';
import type { TokensService } from './aam/services/tokens.js';
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
}
