// What a correct password still leaves to do before a full login: a second factor (the user's
// sms_login or enrolled TOTP, or an organization with force_sms_login), and a new password (an
// administrator's force_password_reset, or one older than an organization's password_valid_days).
import type { OrganizationsRepository } from '../repositories/organizations.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { UserSecurityRecord, UserSecurityRepository } from '../repositories/user-security.js';
import type { UserRecord } from '../repositories/users.js';
import { passwordResetKey } from './user-passwords.js';

export interface LoginRequirements {
  twoFactor: boolean;
  /** A confirmed TOTP secret exists; without it a required second factor means enrolling first. */
  enrolled: boolean;
  /** Organizations of the user with force_sms_login. */
  forcedBy: number[];
  passwordChange: null | 'forced' | 'expired';
}

export interface LoginPolicyDeps {
  organizations: Pick<OrganizationsRepository, 'list'>;
  settings: Pick<SettingsRepository, 'get'>;
  security: Pick<UserSecurityRepository, 'get'>;
  now?: () => number;
}

export class LoginPolicy {
  private readonly now: () => number;

  constructor(private readonly deps: LoginPolicyDeps) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async requirements(user: UserRecord, known?: UserSecurityRecord): Promise<LoginRequirements> {
    const [security, organizations, forced] = await Promise.all([
      known ?? this.deps.security.get(user.id),
      // Direct memberships only: an organization's rules bind its own members.
      user.organizationIds.length ? this.deps.organizations.list(user.organizationIds) : [],
      this.deps.settings.get(passwordResetKey(user.id)),
    ]);
    const enrolled = (security?.totpSecret ?? '') !== '';
    const forcedBy = organizations.filter((o) => o.forceSmsLogin).map((o) => o.id);
    const validDays = organizations.map((o) => o.passwordValidDays).filter((d) => d > 0);
    // Users stored before password changes were recorded count from their creation.
    const changed = security?.passwordChanged || user.created;
    const expired = validDays.length > 0 && this.now() >= changed + Math.min(...validDays) * 86400;
    return {
      twoFactor: user.smsLogin || enrolled || forcedBy.length > 0,
      enrolled,
      forcedBy,
      passwordChange: forced !== null ? 'forced' : expired ? 'expired' : null,
    };
  }
}
