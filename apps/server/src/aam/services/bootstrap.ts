// First start: the root organization, the built-in roles and the admin user. The admin password is
// taken from the configuration or generated and returned once for the caller to print; there is no
// fixed default password.
import type { OrganizationsRepository } from '../repositories/organizations.js';
import type { RolesRepository } from '../repositories/roles.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { UsersRepository } from '../repositories/users.js';
import { ensureBuiltinRoles } from './builtin-roles.js';
import { newPassword } from './secrets.js';
import type { UsersService } from './users.js';

export interface BootstrapResult {
  created: boolean;
  adminEmail: string;
  /** Only set when the password was generated now: print it once, it is not stored in clear. */
  generatedPassword?: string;
  rootOrganizationId: number;
}

export async function bootstrapAam(deps: {
  organizations: OrganizationsRepository;
  roles: RolesRepository;
  settings: SettingsRepository;
  users: UsersRepository;
  usersService: UsersService;
  adminEmail: string;
  adminPassword?: string;
  now?: () => number;
}): Promise<BootstrapResult> {
  const now = (deps.now ?? (() => Math.floor(Date.now() / 1000)))();
  const roots = (await deps.organizations.treeRows()).filter((o) => o.parentId === null);
  const rootOrganizationId = roots[0]?.id ?? (await deps.organizations.create({ name: 'Root', parentId: null }, now)).id;

  // Also on existing data dirs, so roles added in later versions appear there too.
  const { admin: adminRole } = await ensureBuiltinRoles(deps.roles, deps.settings, now);

  if ((await deps.users.count()) > 0) return { created: false, adminEmail: deps.adminEmail, rootOrganizationId };
  const password = deps.adminPassword ?? newPassword();
  await deps.usersService.createRecord({
    email: deps.adminEmail,
    password,
    first_name: 'Admin',
    last_name: '',
    mobile: '',
    note: 'created on first start',
    sms_login: false,
    address: {},
    expire_at: 0,
    meta: {},
    protected_meta: {},
    roleId: adminRole.id,
    organizationIds: [rootOrganizationId],
  });
  return {
    created: true,
    adminEmail: deps.adminEmail,
    generatedPassword: deps.adminPassword ? undefined : password,
    rootOrganizationId,
  };
}
