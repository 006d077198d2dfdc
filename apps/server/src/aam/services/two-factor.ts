// Two-factor login with TOTP (spec 3.2 `nextstep: "smslogin"`; Lynx sent codes by SMS, we use an
// authenticator app): enrolment and confirmation by the user, disabling with a code or the
// password, reset by an administrator, and the check of a login challenge (a code, or one of ten
// single-use recovery codes). A code is accepted once: its time step is remembered per user.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AccessEventHub } from '../access-events.js';
import type { Audit } from '../audit.js';
import { noAudit } from '../audit.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { SettingsRepository } from '../repositories/settings.js';
import { currentRequest } from '../request-context.js';
import type { TokensRepository } from '../repositories/tokens.js';
import type { UserSecurityRepository } from '../repositories/user-security.js';
import type { UserRecord, UsersRepository } from '../repositories/users.js';
import type { AccessPolicy } from './access-policy.js';
import type { AdminScope } from './admin-scope.js';
import { LoginGuard } from './login-throttle.js';
import type { LoginPolicy } from './login-policy.js';
import { tokenType } from './login-tokens.js';
import { parseInput } from './parse-input.js';
import { verifyPassword } from './secrets.js';
import { base32Encode, matchTotpStep, newTotpSecret, otpauthUri } from './totp.js';

export const recoveryCodeCount = 10;
const issuer = 'Lynx';

/** Setting holding the last TOTP time step a user logged in with (replay protection). */
export const totpLastStepKey = (userId: number) => `user.${userId}.totp_last_step`;

export interface TotpStatus {
  enabled: boolean;
  recovery_codes_left: number;
}

export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  recovery_codes: string[];
}

const codeInput = z.object({ code: z.union([z.string(), z.number()]).transform((v) => String(v).trim()) });
const disableInput = z
  .object({
    code: z
      .union([z.string(), z.number()])
      .transform((v) => String(v).trim())
      .optional(),
    password: z.string().max(1024).optional(),
  })
  .refine((v) => v.code !== undefined || v.password !== undefined, { message: 'give {code} (from your authenticator) or {password}' });

export interface TwoFactorDeps {
  users: Pick<UsersRepository, 'get'>;
  security: Pick<UserSecurityRepository, 'get' | 'setPending' | 'confirm' | 'clear' | 'replaceRecoveryCodes'>;
  settings: Pick<SettingsRepository, 'get' | 'set' | 'delete'>;
  tokens: Pick<TokensRepository, 'deleteForUser'>;
  scope: AdminScope;
  policy: AccessPolicy;
  hub: AccessEventHub;
  loginPolicy: LoginPolicy;
  guard?: LoginGuard;
  audit?: Audit;
  now?: () => number;
}

export class TwoFactorService {
  private readonly now: () => number;
  private readonly audit: Audit;
  private readonly guard: LoginGuard;
  /** Challenges of one user are checked one at a time, so a code or recovery code is spent once. */
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: TwoFactorDeps) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
    this.audit = deps.audit ?? noAudit;
    this.guard = deps.guard ?? new LoginGuard({ audit: this.audit });
  }

  async status(p: Principal): Promise<TotpStatus> {
    this.deps.policy.requireUser(p);
    const security = await this.deps.security.get(p.userId);
    const enabled = !!security?.totpSecret;
    return { enabled, recovery_codes_left: enabled ? security!.recoveryCodes.length : 0 };
  }

  /** Offers a new secret and recovery codes; nothing changes for login until {@link confirm}. */
  async enroll(p: Principal): Promise<TotpEnrolment> {
    this.deps.policy.requireAccountOwner(p);
    const security = await this.deps.security.get(p.userId);
    if (!security) throw new NotFoundError('user not found');
    if (security.totpSecret) throw new ConflictError('two-factor is already enabled: disable it first (DELETE /api/v2/user/me/security/totp)');
    const secret = newTotpSecret();
    const codes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
    await this.deps.security.setPending(p.userId, secret, codes.map(hashRecoveryCode), this.now());
    return { secret, otpauth_uri: otpauthUri(issuer, p.email, secret), recovery_codes: codes };
  }

  /** The first code from the authenticator proves it holds the secret; from then on login asks for codes. */
  async confirm(p: Principal, body: unknown): Promise<TotpStatus & { message: string }> {
    this.deps.policy.requireAccountOwner(p);
    const { code } = parseInput(codeInput, body ?? {});
    return this.serialized(p.userId, async () => {
      const security = await this.deps.security.get(p.userId);
      if (!security) throw new NotFoundError('user not found');
      if (security.totpSecret) throw new ConflictError('two-factor is already enabled');
      if (!security.totpPending) throw new ConflictError('no enrolment pending: POST /api/v2/user/me/security/totp first');
      const step = matchTotpStep(security.totpPending, code, this.now());
      if (step === null) throw new BadRequestError('invalid code: does not match the secret being enrolled (check the device clock)');
      if (!(await this.deps.security.confirm(p.userId, security.totpPending, this.now()))) throw new ConflictError('the enrolment changed meanwhile: start again');
      await this.deps.settings.set(totpLastStepKey(p.userId), String(step));
      await this.audit.record({ action: 'update', objectType: 'user', objectId: p.userId, description: 'two-factor login (TOTP) enabled', organizationId: p.organizationIds[0] ?? null });
      return { message: 'two-factor login enabled', enabled: true, recovery_codes_left: security.recoveryCodes.length };
    });
  }

  /** Turns two-factor off for yourself, proven by a current code or the password. */
  async disable(p: Principal, body: unknown, client: { ip?: string } = {}): Promise<{ message: string }> {
    this.deps.policy.requireAccountOwner(p);
    const input = parseInput(disableInput, body ?? {});
    const user = await this.deps.users.get(p.userId);
    const security = await this.deps.security.get(p.userId);
    if (!user || !security) throw new NotFoundError('user not found');
    if (!security.totpSecret && !security.totpPending) throw new ConflictError('two-factor is not enabled');
    const { forcedBy } = await this.deps.loginPolicy.requirements(user, security);
    if (forcedBy.length) throw new ForbiddenError(`organization ${forcedBy[0]} requires two-factor login (force_sms_login)`);
    const keys = { email: user.email, ip: client.ip ?? currentRequest()?.ip };
    await this.guard.before(keys);
    const ok =
      input.code !== undefined && security.totpSecret
        ? await this.serialized(p.userId, () => this.spendTotp(p.userId, security.totpSecret, input.code!))
        : input.password !== undefined && (await verifyPassword(user.passwordHash, input.password));
    if (!ok) {
      await this.guard.failed({ ...keys, user }, `disabling two-factor of ${user.email} refused: wrong code or password`);
      throw new BadRequestError('invalid code or password');
    }
    this.guard.succeeded(user.email);
    await this.turnOff(user.id);
    await this.audit.record({ action: 'update', objectType: 'user', objectId: user.id, description: 'two-factor login disabled by the user', organizationId: user.organizationIds[0] ?? null });
    return { message: 'two-factor login disabled' };
  }

  /** An administrator of the user turns its two-factor off (a lost phone); the user enrols again. */
  async adminReset(p: Principal, userId: number): Promise<{ message: string }> {
    this.deps.policy.requirePermission(p, 'user/update');
    if (userId === p.userId) throw new ForbiddenError('your own two-factor is turned off with DELETE /api/v2/user/me/security/totp and {code} or {password}');
    const user = await this.deps.users.get(userId);
    if (!user || !this.deps.scope.seesUser(p, user)) throw new NotFoundError(`user ${userId} not found`);
    await this.deps.scope.requireOutranks(p, user);
    await this.turnOff(userId);
    await this.audit.record({
      action: 'update',
      objectType: 'user',
      objectId: userId,
      description: `two-factor login of ${user.email} reset by an administrator`,
      organizationId: user.organizationIds[0] ?? null,
    });
    return { message: `two-factor login of user ${userId} reset` };
  }

  /** Checks a login challenge: a 6-digit code or an unused recovery code (which is then spent). */
  async verifyChallenge(user: UserRecord, challenge: string): Promise<'totp' | 'recovery' | null> {
    return this.serialized(user.id, async () => {
      const security = await this.deps.security.get(user.id);
      if (!security?.totpSecret) return null;
      const text = challenge.trim();
      if (/^[0-9]{6}$/.test(text)) return (await this.spendTotp(user.id, security.totpSecret, text)) ? 'totp' : null;
      const hash = hashRecoveryCode(text);
      if (!security.recoveryCodes.includes(hash)) return null;
      const left = security.recoveryCodes.filter((c) => c !== hash);
      return (await this.deps.security.replaceRecoveryCodes(user.id, security.recoveryCodes, left)) ? 'recovery' : null;
    });
  }

  /** True when the code matches a step later than the last one used, which it then becomes. */
  private async spendTotp(userId: number, secret: string, code: string): Promise<boolean> {
    const step = matchTotpStep(secret, code, this.now());
    if (step === null) return false;
    const last = Number((await this.deps.settings.get(totpLastStepKey(userId))) ?? -1);
    if (step <= last) return false;
    await this.deps.settings.set(totpLastStepKey(userId), String(step));
    return true;
  }

  private async turnOff(userId: number): Promise<void> {
    await this.deps.security.clear(userId, this.now());
    await this.deps.settings.delete(totpLastStepKey(userId));
    // Pending two-factor logins waited for a code of the old secret.
    const ended = await this.deps.tokens.deleteForUser(userId, { type: tokenType.twoFactor });
    for (const tokenId of ended) this.deps.hub.emit({ type: 'token-revoked', tokenId });
  }

  private serialized<T>(userId: number, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(userId) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(userId, tail);
    void tail.then(() => {
      if (this.locks.get(userId) === tail) this.locks.delete(userId);
    });
    return run;
  }
}

/** 10 base32 characters (50 bits) in two groups of five, lower case: `abcde-fghij`. */
export function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
  return `${text.slice(0, 5)}-${text.slice(5)}`;
}

/** Recovery codes are compared without case, spaces or dashes, as people type them. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex');
}
