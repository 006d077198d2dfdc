// Two-factor login, forced password changes and reset tokens through the real services and store
// (SQLite here, PostgreSQL under the postgres project): which token authenticates what.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import { AuthService, passwordChangeRequired, type RequestCredentials } from './auth.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';
import { LoginGuard, LoginThrottle } from './login-throttle.js';
import type { MailMessage, MailTransport } from './mail-transport.js';
import { PasswordResetService, resetRequestAnswer } from './password-reset.js';
import { passwordResetKey } from './user-passwords.js';
import { totpCode } from './totp.js';

let f: AdminFixture;
beforeEach(async () => {
  f = await createAdminFixture();
});
afterEach(async () => {
  await f.close();
});

const key = (token: string): RequestCredentials => ({ apiKey: token, ip: '192.0.2.1' });
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as AppError);

/** A member who enrolled and confirmed TOTP; returns its secret and recovery codes. */
async function enrolled(email: string, password = 'member-password') {
  const session = await f.member(email, 'user', f.orgs.child, password);
  const enrolment = await f.twoFactor.enroll(session.principal);
  await f.twoFactor.confirm(session.principal, { code: totpCode(enrolment.secret, f.clock.now) });
  return { ...session, ...enrolment };
}

describe('two-factor enrolment', () => {
  it('offers a secret and ten recovery codes, and turns on with a first code', async () => {
    const { principal } = await f.member('ann@example.com', 'user', f.orgs.child);
    expect(await f.twoFactor.status(principal)).toEqual({ enabled: false, recovery_codes_left: 0 });
    await expect(f.twoFactor.confirm(principal, { code: '123456' })).rejects.toThrow(/no enrolment pending/);
    const enrolment = await f.twoFactor.enroll(principal);
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.otpauth_uri).toMatch(new RegExp(`^otpauth://totp/Lynx:ann@example\\.com\\?secret=${enrolment.secret}&issuer=Lynx&`));
    expect(enrolment.recovery_codes).toHaveLength(10);
    expect(new Set(enrolment.recovery_codes).size).toBe(10);
    // Stored as pending, codes hashed; login is unchanged until confirmed.
    const stored = await f.repos.security.get(principal.userId);
    expect(stored).toMatchObject({ totpSecret: '', totpPending: enrolment.secret });
    expect(stored!.recoveryCodes).toHaveLength(10);
    expect(stored!.recoveryCodes.some((c) => enrolment.recovery_codes.includes(c))).toBe(false);
    expect((await f.auth.login('ann@example.com', 'member-password')).nextstep).toBeUndefined();

    await expect(f.twoFactor.confirm(principal, { code: '000000' === totpCode(enrolment.secret, f.clock.now) ? '111111' : '000000' })).rejects.toThrow(BadRequestError);
    await expect(f.twoFactor.confirm(principal, {})).rejects.toThrow(/invalid code/);
    expect(await f.twoFactor.confirm(principal, { code: totpCode(enrolment.secret, f.clock.now) })).toMatchObject({ enabled: true, recovery_codes_left: 10 });
    expect(await f.twoFactor.status(principal)).toEqual({ enabled: true, recovery_codes_left: 10 });
    expect((await f.usersService.me(principal)).sms_login).toBe(true);
    expect(await f.repos.security.get(principal.userId)).toMatchObject({ totpSecret: enrolment.secret, totpPending: '' });
    await expect(f.twoFactor.enroll(principal)).rejects.toThrow(ConflictError);
  });

  it('turns off with a fresh code or the password, and an administrator of the user can reset it', async () => {
    const ann = await enrolled('ann@example.com');
    // The confirming code's step is spent.
    await expect(f.twoFactor.disable(ann.principal, { code: totpCode(ann.secret, f.clock.now) })).rejects.toThrow(/invalid code or password/);
    await expect(f.twoFactor.disable(ann.principal, { password: 'wrong-password' })).rejects.toThrow(BadRequestError);
    await expect(f.twoFactor.disable(ann.principal, {})).rejects.toThrow(/code.*password/);
    f.clock.now += 30;
    expect(await f.twoFactor.disable(ann.principal, { code: totpCode(ann.secret, f.clock.now) })).toEqual({ message: 'two-factor login disabled' });
    expect(await f.twoFactor.status(ann.principal)).toEqual({ enabled: false, recovery_codes_left: 0 });
    expect((await f.usersService.me(ann.principal)).sms_login).toBe(false);

    const bob = await enrolled('bob@example.com');
    const sibling = await f.member('sib-admin@example.com', 'organization_admin', f.orgs.sibling);
    await expect(f.twoFactor.adminReset(sibling.principal, bob.principal.userId)).rejects.toThrow(NotFoundError);
    await expect(f.twoFactor.adminReset(f.user, bob.principal.userId)).rejects.toThrow(ForbiddenError);
    await expect(f.twoFactor.adminReset(bob.principal, bob.principal.userId)).rejects.toThrow(ForbiddenError);
    const pending = await f.auth.login('bob@example.com', 'member-password');
    expect((await f.twoFactor.adminReset(f.childAdmin, bob.principal.userId)).message).toMatch(/reset/);
    expect(await f.twoFactor.status(bob.principal)).toEqual({ enabled: false, recovery_codes_left: 0 });
    // The pending login waited for a code of the old secret.
    expect(await failure(f.auth.completeTwoFactor(key(pending.token), { challenge: '123456' }))).toBeInstanceOf(UnauthorizedError);
    expect((await f.auth.login('bob@example.com', 'member-password')).nextstep).toBeUndefined();
  });
});

describe('two-factor login', () => {
  it('answers a pending token that authenticates nothing but the challenge, then a full login', async () => {
    const ann = await enrolled('ann@example.com');
    const first = await f.auth.login('ann@example.com', 'member-password', { ip: '192.0.2.1' });
    expect(first).toMatchObject({ nextstep: 'smslogin', next_step: 'smslogin' });
    expect(first.two_factor_enrolment_required).toBeUndefined();
    // Refused by MQTT (authenticateToken), REST/tRPC (authenticateRequest, every scheme) and refreshes.
    expect(await f.auth.authenticateToken(first.token)).toBeNull();
    expect(await f.auth.principalForTokenId(first.tokenId)).toBeNull();
    for (const creds of [{ apiKey: first.token }, { authorization: `Bearer ${first.token}` }, { authorization: `Basic ${Buffer.from(`token:${first.token}`).toString('base64')}` }]) {
      expect(await failure(f.auth.authenticateRequest(creds))).toMatchObject({ status: 401, message: expect.stringMatching(/PUT \/api\/v2\/auth/) });
      expect(await failure(f.auth.authenticateRequest(creds, { accepts: ['password-change'] }))).toBeInstanceOf(UnauthorizedError);
      // Enrolment endpoints take it only while the user has no secret.
      expect(await failure(f.auth.authenticateRequest(creds, { accepts: ['two-factor-enrolment'] }))).toBeInstanceOf(UnauthorizedError);
    }
    // Basic e-mail:password is no way around the second factor either.
    const basic = { authorization: `Basic ${Buffer.from('ann@example.com:member-password').toString('base64')}` };
    expect(await failure(f.auth.authenticateRequest(basic))).toMatchObject({ status: 401, message: expect.stringMatching(/two-factor/) });

    // The confirming code's step is spent; the next step's code is accepted (one step of drift).
    expect(await failure(f.auth.completeTwoFactor(key(first.token), { challenge: totpCode(ann.secret, f.clock.now) }))).toMatchObject({ status: 401, message: 'wrong challenge (4 attempt(s) left)' });
    expect(await failure(f.auth.completeTwoFactor(key(first.token), {}))).toBeInstanceOf(BadRequestError);
    const full = await f.auth.completeTwoFactor(key(first.token), { challenge: totpCode(ann.secret, f.clock.now + 30) });
    expect(full.token).not.toBe(first.token);
    expect((await f.auth.authenticateToken(full.token))?.userId).toBe(ann.principal.userId);
    // The pending token is gone, and a full token is no pending one.
    expect(await f.repos.tokens.get(first.tokenId)).toBeNull();
    expect(await failure(f.auth.completeTwoFactor(key(first.token), { challenge: totpCode(ann.secret, f.clock.now + 30) }))).toBeInstanceOf(UnauthorizedError);
    expect(await failure(f.auth.completeTwoFactor(key(full.token), { challenge: '123456' }))).toBeInstanceOf(UnauthorizedError);

    // A code is accepted once: the same step again is refused on a new login.
    const second = await f.auth.login('ann@example.com', 'member-password');
    expect(await failure(f.auth.completeTwoFactor(key(second.token), { challenge: totpCode(ann.secret, f.clock.now + 30) }))).toBeInstanceOf(UnauthorizedError);
    f.clock.now += 60;
    expect((await f.auth.completeTwoFactor(key(second.token), { challenge: totpCode(ann.secret, f.clock.now) })).token).toBeTruthy();

    const trace = (await f.trace.list(f.admin, { action: 'auth' })).data;
    expect(trace.map((e) => e.description)).toContain('login of ann@example.com with password and TOTP code');
  });

  it('takes each recovery code once and ends a pending login after five wrong challenges', async () => {
    const ann = await enrolled('ann@example.com');
    const [code] = ann.recovery_codes;
    const first = await f.auth.login('ann@example.com', 'member-password');
    expect((await f.auth.completeTwoFactor(key(first.token), { challenge: code.toUpperCase() })).token).toBeTruthy();
    expect(await f.twoFactor.status(ann.principal)).toEqual({ enabled: true, recovery_codes_left: 9 });
    const second = await f.auth.login('ann@example.com', 'member-password');
    expect(await failure(f.auth.completeTwoFactor(key(second.token), { challenge: code }))).toBeInstanceOf(UnauthorizedError);
    for (let left = 3; left >= 1; left--) {
      expect(await failure(f.auth.completeTwoFactor(key(second.token), { challenge: 'nope-nope' }))).toMatchObject({ message: `wrong challenge (${left} attempt(s) left)` });
    }
    expect(await failure(f.auth.completeTwoFactor(key(second.token), { challenge: 'nope-nope' }))).toMatchObject({ status: 401, message: expect.stringMatching(/has ended/) });
    expect(await f.repos.tokens.get(second.tokenId)).toBeNull();
    // Even the right code does not revive it.
    expect(await failure(f.auth.completeTwoFactor(key(second.token), { challenge: ann.recovery_codes[1] }))).toBeInstanceOf(UnauthorizedError);
    const failed = (await f.trace.list(f.admin, { action: 'failed' })).data;
    expect(failed.filter((e) => e.description.startsWith('two-factor challenge of ann@example.com failed'))).toHaveLength(5);
  });

  it('makes members of a force_sms_login organization enrol with the pending token first', async () => {
    await f.repos.organizations.update(f.orgs.sibling, { forceSmsLogin: true }, f.clock.now);
    const { principal } = await f.member('cy@example.com', 'user', f.orgs.sibling);
    const pending = await f.auth.login('cy@example.com', 'member-password');
    expect(pending).toMatchObject({ nextstep: 'smslogin', next_step: 'smslogin', two_factor_enrolment_required: true });
    expect(await failure(f.auth.completeTwoFactor(key(pending.token), { challenge: '123456' }))).toMatchObject({ status: 403, message: expect.stringMatching(/enrolment required/) });
    // Only the enrolment endpoints (accepts two-factor-enrolment) take the pending token.
    expect(await failure(f.auth.authenticateRequest(key(pending.token)))).toBeInstanceOf(UnauthorizedError);
    const asPending = await f.auth.authenticateRequest(key(pending.token), { accepts: ['two-factor-enrolment'] });
    expect(asPending.userId).toBe(principal.userId);
    const enrolment = await f.twoFactor.enroll(asPending);
    await f.twoFactor.confirm(asPending, { code: totpCode(enrolment.secret, f.clock.now) });
    expect(await failure(f.auth.authenticateRequest(key(pending.token), { accepts: ['two-factor-enrolment'] }))).toBeInstanceOf(UnauthorizedError);
    const full = await f.auth.completeTwoFactor(key(pending.token), { challenge: totpCode(enrolment.secret, f.clock.now + 30) });
    expect((await f.auth.authenticateToken(full.token))?.userId).toBe(principal.userId);
    // The organization's rule cannot be switched off by the member.
    await expect(f.twoFactor.disable(principal, { password: 'member-password' })).rejects.toThrow(/force_sms_login/);
  });
});

describe('forced password change', () => {
  it('gives a login that only reads the user and changes the password until it is changed', async () => {
    const { principal } = await f.member('dee@example.com', 'user', f.orgs.child, 'old-password');
    await f.passwords.forceReset(f.childAdmin, f.orgs.child);
    const login = await f.auth.login('dee@example.com', 'old-password');
    expect(login.password_change_required).toBe(true);
    expect(login.nextstep).toBeUndefined();
    expect(await f.auth.authenticateToken(login.token)).toBeNull();
    expect(await failure(f.auth.authenticateRequest(key(login.token)))).toMatchObject({ status: 403, message: passwordChangeRequired });
    const basic = { authorization: `Basic ${Buffer.from('dee@example.com:old-password').toString('base64')}` };
    expect(await failure(f.auth.authenticateRequest(basic))).toMatchObject({ status: 403, message: passwordChangeRequired });
    const restricted = await f.auth.authenticateRequest(key(login.token), { accepts: ['password-change'] });
    expect(restricted.userId).toBe(principal.userId);
    await expect(f.passwords.changeOwn(restricted, { current_password: 'old-password', new_password: 'old-password' })).rejects.toThrow(/must differ/);
    await f.passwords.changeOwn(restricted, { current_password: 'old-password', new_password: 'new-password' });
    // The same token is now a full login, and the mark is gone.
    expect((await f.auth.authenticateToken(login.token))?.userId).toBe(principal.userId);
    expect(await f.repos.settings.get(passwordResetKey(principal.userId))).toBeNull();
    expect((await f.auth.login('dee@example.com', 'new-password')).password_change_required).toBeUndefined();
  });

  it('counts a password older than the organization password_valid_days as one to change', async () => {
    await f.member('eve@example.com', 'user', f.orgs.sibling, 'eve-password');
    await f.repos.organizations.update(f.orgs.sibling, { passwordValidDays: 30 }, f.clock.now);
    expect((await f.auth.login('eve@example.com', 'eve-password')).password_change_required).toBeUndefined();
    f.clock.now += 30 * 86400;
    const login = await f.auth.login('eve@example.com', 'eve-password');
    expect(login.password_change_required).toBe(true);
    const p = await f.auth.authenticateRequest(key(login.token), { accepts: ['password-change'] });
    await f.passwords.changeOwn(p, { current_password: 'eve-password', new_password: 'eve-password-2' });
    expect((await f.repos.security.get(p.userId))?.passwordChanged).toBe(f.clock.now);
    expect((await f.auth.login('eve@example.com', 'eve-password-2')).password_change_required).toBeUndefined();
  });
});

describe('password reset by token', () => {
  function resetService() {
    const sent: MailMessage[] = [];
    const mail: MailTransport = { configured: true, describe: 'recorder', send: async (m) => void sent.push(m), close: () => {} };
    const warnings: object[] = [];
    const service = new PasswordResetService({
      users: f.repos.users,
      tokens: f.repos.tokens,
      passwords: f.passwords,
      mail,
      log: { warn: (obj) => void warnings.push(obj), error: () => {} },
      now: () => f.clock.now,
    });
    return { service, sent, warnings };
  }

  it('answers alike for every address and mails a one-use token that only resets the password', async () => {
    const { principal } = await f.member('fay@example.com', 'user', f.orgs.child, 'old-password');
    const session = await f.login(principal.userId);
    const apiKey = await f.login(principal.userId, 'api');
    await f.passwords.forceReset(f.childAdmin, f.orgs.child);
    const { service, sent, warnings } = resetService();
    expect(await service.request({ email: 'nobody@example.com' })).toEqual(resetRequestAnswer);
    expect(sent).toHaveLength(0);
    expect(await service.request({ email: ' FAY@example.com ' })).toEqual(resetRequestAnswer);
    expect(sent).toHaveLength(1);
    expect(sent[0].to).toBe('fay@example.com');
    const token = /Reset token: ([0-9a-f]{32})/.exec(sent[0].text)![1];
    expect(warnings).toEqual([expect.objectContaining({ email: 'fay@example.com', token })]);
    await expect(service.request({})).rejects.toThrow(/invalid email/);

    // A reset token is no credential anywhere else.
    expect(await f.auth.authenticateToken(token)).toBeNull();
    expect(await failure(f.auth.authenticateRequest(key(token), { accepts: ['password-change', 'two-factor-enrolment'] }))).toMatchObject({ status: 401, message: expect.stringMatching(/reset_password/) });
    expect(await failure(f.auth.completeTwoFactor(key(token), { challenge: '123456' }))).toBeInstanceOf(UnauthorizedError);

    await expect(service.complete(key(token), { password: 'short' })).rejects.toThrow(/8 characters/);
    expect(await service.complete(key(token), { password: 'reset-password' })).toEqual({ message: 'password changed' });
    expect(await failure(service.complete(key(token), { password: 'again-password' }))).toBeInstanceOf(UnauthorizedError);
    // Login sessions end, API keys stay, the forced change is satisfied.
    expect(await f.auth.authenticateToken(session.secret)).toBeNull();
    expect(await f.auth.authenticateToken(apiKey.secret)).not.toBeNull();
    const login = await f.auth.login('fay@example.com', 'reset-password');
    expect(login.password_change_required).toBeUndefined();
    await expect(f.auth.login('fay@example.com', 'old-password')).rejects.toThrow(UnauthorizedError);
  });

  it('keeps only the newest token, expires it after an hour and mails an address at most three times an hour', async () => {
    await f.member('gus@example.com', 'user', f.orgs.child);
    const { service, sent } = resetService();
    for (let i = 0; i < 4; i++) await service.request({ email: 'gus@example.com' });
    expect(sent).toHaveLength(3);
    const tokens = sent.map((m) => /Reset token: (\w+)/.exec(m.text)![1]);
    expect(await failure(service.complete(key(tokens[0]), { password: 'gus-password-2' }))).toBeInstanceOf(UnauthorizedError);
    f.clock.now += 3600;
    expect(await failure(service.complete(key(tokens[2]), { password: 'gus-password-2' }))).toBeInstanceOf(UnauthorizedError);
    await service.request({ email: 'gus@example.com' });
    expect(sent).toHaveLength(4);
  });
});

describe('throttling of login paths', () => {
  it('locks an account after repeated wrong passwords, even for the right one, and a success resets the count', async () => {
    await f.member('hal@example.com', 'user', f.orgs.child, 'hal-password');
    const clock = { ms: 0 };
    const slept: number[] = [];
    const guard = new LoginGuard({ throttle: new LoginThrottle({}, () => clock.ms), audit: f.trace, sleep: async (ms) => void slept.push(ms) });
    const auth = new AuthService({ users: f.repos.users, tokens: f.repos.tokens, roles: f.repos.roles, loginPolicy: f.loginPolicy, twoFactor: f.twoFactor, guard, audit: f.trace, now: () => f.clock.now });
    for (let i = 0; i < 4; i++) await expect(auth.login('hal@example.com', 'wrong', { ip: '192.0.2.7' })).rejects.toThrow(UnauthorizedError);
    expect((await auth.login('hal@example.com', 'hal-password', { ip: '192.0.2.7' })).token).toBeTruthy();
    for (let i = 0; i < 10; i++) await expect(auth.login('HAL@example.com', 'wrong', { ip: '192.0.2.7' })).rejects.toThrow(UnauthorizedError);
    expect(slept).toEqual([250, 500, 1000, 2000, 2000]);
    expect(await failure(auth.login('hal@example.com', 'hal-password', { ip: '192.0.2.8' }))).toMatchObject({ status: 429, message: expect.stringMatching(/try again in 900 s/) });
    // Basic e-mail:password on any endpoint is the same door.
    const basic = { authorization: `Basic ${Buffer.from('hal@example.com:hal-password').toString('base64')}`, ip: '192.0.2.9' };
    expect(await failure(auth.authenticateRequest(basic))).toMatchObject({ status: 429 });
    clock.ms += 900_000;
    expect((await auth.authenticateRequest(basic)).email).toBe('hal@example.com');
    const failed = (await f.trace.list(f.admin, { action: 'failed' })).data;
    expect(failed.filter((e) => e.description.startsWith('login of "hal@example.com" failed') || e.description.startsWith('login of "HAL@example.com" failed'))).toHaveLength(14);
    expect(failed.some((e) => e.description.startsWith('login locked for account hal@example.com until'))).toBe(true);
  });
});
