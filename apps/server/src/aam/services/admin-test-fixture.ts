// Test support for the organization, user, role and password specs: the AAM fixture's store, tree
// and index, plus the built-in roles, memberships, the administration services and principals
// resolved by the real AuthService from real tokens.
import type { AccessEvent } from '../access.js';
import { AccessEventHub } from '../access-events.js';
import type { ChangeKind } from '../events.js';
import type { Principal } from '../principal.js';
import { OrganizationsRepository } from '../repositories/organizations.js';
import type { RoleRecord } from '../repositories/roles.js';
import { RolesRepository } from '../repositories/roles.js';
import { SettingsRepository } from '../repositories/settings.js';
import { TokensRepository } from '../repositories/tokens.js';
import { UsersRepository } from '../repositories/users.js';
import { UserSecurityRepository } from '../repositories/user-security.js';
import { createAamFixture, type AamFixture } from './aam-test-fixture.js';
import { AdminScope } from './admin-scope.js';
import { AuthService } from './auth.js';
import { ensureBuiltinRoles, type BuiltinRole } from './builtin-roles.js';
import { LoginPolicy } from './login-policy.js';
import { OrganizationsService } from './organizations.js';
import { RolesService } from './roles.js';
import { hashToken, newTokenSecret } from './secrets.js';
import { TokensService } from './tokens.js';
import { TwoFactorService } from './two-factor.js';
import { UserPasswordsService } from './user-passwords.js';
import { UsersService } from './users.js';

export interface Session {
  principal: Principal;
  secret: string;
  tokenId: number;
}

export interface AdminFixture extends Omit<AamFixture, 'admin' | 'user' | 'childAdmin'> {
  repos: {
    organizations: OrganizationsRepository;
    users: UsersRepository;
    roles: RolesRepository;
    tokens: TokensRepository;
    settings: SettingsRepository;
    security: UserSecurityRepository;
  };
  roles: Record<BuiltinRole, RoleRecord>;
  hub: AccessEventHub;
  /** Events of the administration services (the installations service records into `accessEvents`). */
  events: AccessEvent[];
  scope: AdminScope;
  auth: AuthService;
  loginPolicy: LoginPolicy;
  twoFactor: TwoFactorService;
  usersService: UsersService;
  orgService: OrganizationsService;
  roleService: RolesService;
  passwords: UserPasswordsService;
  tokens: TokensService;
  /** Built-in admin role, member of the root organization. */
  admin: Principal;
  /** Built-in "user" role, member of the root organization. */
  user: Principal;
  /** Built-in "organization admin" role, member of the child organization. */
  childAdmin: Principal;
  /** A fresh login token of the user, resolved as every transport resolves it. */
  login(userId: number, type?: 'login' | 'api'): Promise<Session>;
  /** Creates a user with a built-in role in one organization and logs it in. */
  member(email: string, role: BuiltinRole, organizationId: number, password?: string): Promise<Session>;
}

export async function createAdminFixture(): Promise<AdminFixture> {
  const base = await createAamFixture();
  const { db, clock } = base;
  const now = () => clock.now;
  const repos = {
    organizations: new OrganizationsRepository(db),
    users: new UsersRepository(db),
    roles: new RolesRepository(db),
    tokens: new TokensRepository(db),
    settings: new SettingsRepository(db),
    security: new UserSecurityRepository(db),
  };
  const roles = await ensureBuiltinRoles(repos.roles, repos.settings, now());
  const hub = new AccessEventHub();
  const events: AccessEvent[] = [];
  hub.on((e) => events.push(e));
  const scope = new AdminScope(repos.roles, base.organizations);
  const changes = { changed: (clientId: number, kind: ChangeKind) => base.changes.push({ clientId, kind }) };
  const common = { scope, index: base.index, policy: base.policy, hub, now, audit: base.trace };
  const usersService = new UsersService({ ...common, users: repos.users, tokens: repos.tokens, settings: repos.settings, changes });
  const orgService = new OrganizationsService({
    ...common,
    organizations: repos.organizations,
    users: repos.users,
    settings: repos.settings,
    changes,
    onInstallationDeleted: async (id) => {
      base.deleted.push(id);
    },
  });
  const roleService = new RolesService({ ...common, roles: repos.roles, settings: repos.settings });
  const passwords = new UserPasswordsService({ ...common, users: repos.users, tokens: repos.tokens, settings: repos.settings });
  const tokens = new TokensService(repos.tokens, repos.users, hub, scope, now, base.trace);
  const loginPolicy = new LoginPolicy({ organizations: repos.organizations, settings: repos.settings, security: repos.security, now });
  const twoFactor = new TwoFactorService({ ...common, users: repos.users, security: repos.security, settings: repos.settings, tokens: repos.tokens, loginPolicy });
  const auth = new AuthService({ users: repos.users, tokens: repos.tokens, roles: repos.roles, loginPolicy, twoFactor, now, audit: common.audit });

  const login = async (userId: number, type: 'login' | 'api' = 'login'): Promise<Session> => {
    const secret = newTokenSecret();
    const token = await repos.tokens.create({
      userId,
      tokenHash: hashToken(secret),
      type,
      name: type,
      created: now(),
      expire: 0,
      sessionTimeout: 0,
      permissions: null,
      agent: '',
    });
    const principal = await auth.authenticateToken(secret);
    if (!principal) throw new Error(`user ${userId} cannot log in`);
    return { principal, secret, tokenId: token.id };
  };
  // The base fixture already made them members of these organizations.
  const join = (userId: number, role: BuiltinRole) => db.user.update({ where: { id: userId }, data: { roleId: roles[role].id } });
  await join(base.admin.userId, 'admin');
  await join(base.user.userId, 'user');
  await join(base.childAdmin.userId, 'organization_admin');

  return {
    ...base,
    repos,
    roles,
    hub,
    events,
    scope,
    auth,
    loginPolicy,
    twoFactor,
    usersService,
    orgService,
    roleService,
    passwords,
    tokens,
    admin: (await login(base.admin.userId)).principal,
    user: (await login(base.user.userId)).principal,
    childAdmin: (await login(base.childAdmin.userId)).principal,
    login,
    async member(email, role, organizationId, password = 'member-password') {
      const record = await usersService.createRecord({
        email,
        password,
        first_name: '',
        last_name: '',
        mobile: '',
        note: '',
        sms_login: false,
        address: {},
        expire_at: 0,
        meta: {},
        protected_meta: {},
        roleId: roles[role].id,
        organizationIds: [organizationId],
      });
      return login(record.id);
    },
  };
}
