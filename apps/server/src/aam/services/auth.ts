// Who is calling: login with e-mail and password (then a second factor and a forced password change
// where required, spec 3.2), and resolution of every credential form of spec 3.1/3.3 (X-API-Key,
// Bearer, Basic with a token, Basic with e-mail and password) to a Principal. Tokens of an
// unfinished login (login-tokens.ts) are refused unless the caller names what they may do.
import { z } from 'zod';
import type { AccessEventHub } from '../access-events.js';
import type { Audit } from '../audit.js';
import { noAudit } from '../audit.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { RolesRepository } from '../repositories/roles.js';
import type { TokenRecord, TokensRepository } from '../repositories/tokens.js';
import type { UserRecord, UsersRepository } from '../repositories/users.js';
import { LoginGuard } from './login-throttle.js';
import type { LoginPolicy } from './login-policy.js';
import { restrictedTokenTypes, tokenType, twoFactorTokenSeconds } from './login-tokens.js';
import { parseInput } from './parse-input.js';
import { PrincipalCache } from './principal-cache.js';
import { hashToken, newTokenSecret, verifyPassword } from './secrets.js';
import type { TwoFactorService } from './two-factor.js';

export interface RequestCredentials {
  authorization?: string;
  apiKey?: string;
  ip?: string;
  agent?: string;
}

/** Restricted tokens a route opts into (REST route config `accepts`). */
export type RestrictedAccess =
  /** A pending two-factor login of a user who has no secret yet: the enrolment endpoints. */
  | 'two-factor-enrolment'
  /** A login that must change its password: reading yourself, changing the password, logging out. */
  | 'password-change';

export const passwordChangeRequired = 'password change required: PUT /api/v2/user/me/password';

export interface LoginAnswer {
  token: string;
  tokenId: number;
  userId: number;
  /** Spec 3.2: a second factor is due; `token` is good for `PUT /api/v2/auth {challenge}` only. */
  nextstep?: 'smslogin';
  next_step?: 'smslogin';
  /** Two-factor is required but the user has no authenticator yet: enrol with the pending token. */
  two_factor_enrolment_required?: true;
  /** `token` only reads the user and changes the password until the password is changed. */
  password_change_required?: true;
}

/** Login tokens end after this long without use (they are also valid MQTT passwords). */
const loginSessionTimeout = 7 * 24 * 3600;
/** lastUsed is written at most this often per token, so authentication is not a write per request. */
const touchInterval = 60;
/** Wrong challenges one pending login may send before it ends. */
export const maxChallengeFailures = 5;

const challengeInput = z.object({
  challenge: z.union([z.string().max(100), z.number()], { error: 'required: the 6-digit code or a recovery code' }).transform((v) => String(v)),
});

export interface AuthDeps {
  users: Pick<UsersRepository, 'get' | 'findByEmail'>;
  tokens: Pick<TokensRepository, 'create' | 'findByHash' | 'get' | 'touch' | 'delete'>;
  roles: Pick<RolesRepository, 'get'>;
  loginPolicy: LoginPolicy;
  twoFactor: Pick<TwoFactorService, 'verifyChallenge'>;
  guard?: LoginGuard;
  audit?: Audit;
  now?: () => number;
  /**
   * Source of the events that invalidate cached principals. Without it nothing is cached: a cache
   * nobody invalidates would keep revoked tokens working until the TTL.
   */
  hub?: Pick<AccessEventHub, 'on'>;
  /** Bounds of the principal cache (defaults: 10,000 tokens, 30 s). */
  cache?: { maxEntries?: number; ttlSeconds?: number };
}

export class AuthService {
  private readonly now: () => number;
  private readonly audit: Audit;
  readonly guard: LoginGuard;
  /** Wrong challenges per pending token id, with the token's expiry so stale counts can be dropped. */
  private readonly challengeFailures = new Map<number, { count: number; expire: number }>();
  /** Principals of full tokens by token hash; invalidated through {@link PrincipalCache.invalidate} only. */
  readonly principals: PrincipalCache;

  constructor(private readonly deps: AuthDeps) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
    this.audit = deps.audit ?? noAudit;
    this.guard = deps.guard ?? new LoginGuard({ audit: this.audit });
    this.principals = new PrincipalCache({ ...deps.cache, ...(!deps.hub && { maxEntries: 0 }), now: this.now });
    deps.hub?.on((event) => this.principals.invalidate(event));
  }

  /** `POST /api/v2/auth`: the password, then whatever the login still requires. */
  async login(email: string, password: string, client: { agent?: string; ip?: string } = {}): Promise<LoginAnswer> {
    const keys = { email, ip: client.ip };
    await this.guard.before(keys);
    const { user, ok } = await this.checkPassword(email, password);
    if (!user || !ok) {
      await this.guard.failed({ ...keys, user }, `login of ${JSON.stringify(email.slice(0, 254))} failed: wrong e-mail or password`);
      throw new UnauthorizedError();
    }
    this.guard.succeeded(email);
    const needs = await this.deps.loginPolicy.requirements(user);
    if (needs.twoFactor) {
      const now = this.now();
      const pending = await this.issue(user.id, tokenType.twoFactor, { expire: now + twoFactorTokenSeconds, sessionTimeout: 0, agent: client.agent });
      return { ...pending, nextstep: 'smslogin', next_step: 'smslogin', ...(!needs.enrolled && { two_factor_enrolment_required: true as const }) };
    }
    return this.startSession(user, needs.passwordChange !== null, client.agent, 'password');
  }

  /** `PUT /api/v2/auth {challenge}` with the pending token from {@link login}: the second factor. */
  async completeTwoFactor(creds: RequestCredentials, body: unknown): Promise<Omit<LoginAnswer, 'nextstep' | 'next_step'>> {
    const secret = tokenSecretOf(creds);
    const token = secret ? await this.liveToken(secret) : null;
    if (!token || token.type !== tokenType.twoFactor) throw new UnauthorizedError('not a pending two-factor login: log in with POST /api/v2/auth first');
    const user = await this.deps.users.get(token.userId);
    if (!user || this.isExpired(user)) throw new UnauthorizedError();
    const { challenge } = parseInput(challengeInput, body ?? {});
    const keys = { email: user.email, ip: creds.ip };
    await this.guard.before(keys);
    const needs = await this.deps.loginPolicy.requirements(user);
    if (!needs.enrolled) {
      throw new ForbiddenError('two-factor enrolment required: POST /api/v2/user/me/security/totp with this token, then PUT it with {code}');
    }
    const how = await this.deps.twoFactor.verifyChallenge(user, challenge);
    if (!how) {
      await this.guard.failed({ ...keys, user }, `two-factor challenge of ${user.email} failed`);
      const failures = this.countChallengeFailure(token);
      if (failures >= maxChallengeFailures) {
        await this.endPending(token.id);
        throw new UnauthorizedError('wrong challenge: too many wrong codes, this login has ended; log in again');
      }
      throw new UnauthorizedError(`wrong challenge (${maxChallengeFailures - failures} attempt(s) left)`);
    }
    await this.endPending(token.id);
    this.guard.succeeded(user.email);
    const session = await this.startSession(user, needs.passwordChange !== null, token.agent, how === 'totp' ? 'password and TOTP code' : 'password and recovery code');
    return session;
  }

  async verifyUserPassword(email: string, password: string): Promise<UserRecord | null> {
    const { user, ok } = await this.checkPassword(email, password);
    return user && ok ? user : null;
  }

  /** Resolves a full token (login or API key); null when unknown, restricted, expired, timed out, or its user is expired. */
  async authenticateToken(secret: string, agent = ''): Promise<Principal | null> {
    if (!secret || secret.length > 512) return null;
    const hash = hashToken(secret);
    const cached = await this.cachedPrincipal(hash, agent);
    if (cached !== undefined) return cached;
    const generation = this.principals.generation;
    const token = await this.liveToken(secret, hash);
    if (!token || restrictedTokenTypes.includes(token.type)) return null;
    return this.resolveFullToken(hash, token, agent, generation);
  }

  /** Re-reads a principal's rights from its token id (used to refresh cached MQTT access). */
  async principalForTokenId(tokenId: number): Promise<Principal | null> {
    const token = await this.deps.tokens.get(tokenId);
    if (!token || !this.tokenAlive(token) || restrictedTokenTypes.includes(token.type)) return null;
    return this.principalFor(token);
  }

  /**
   * Spec 3.1 order: Bearer, X-API-Key, Basic with a token as password, Basic with e-mail and
   * password. Restricted tokens pass only where `accepts` names them; elsewhere a pending login or
   * reset token is 401 and a must-change-password login is 403 saying what to do.
   */
  async authenticateRequest(creds: RequestCredentials, opts: { accepts?: readonly RestrictedAccess[] } = {}): Promise<Principal> {
    const agent = creds.agent ?? '';
    const accepts = opts.accepts ?? [];
    const auth = creds.authorization?.trim() ?? '';
    const bearer = /^bearer\s+(.+)$/i.exec(auth);
    if (bearer) return this.orUnauthorized(await this.requestToken(bearer[1].trim(), agent, accepts));
    if (creds.apiKey) return this.orUnauthorized(await this.requestToken(creds.apiKey.trim(), agent, accepts));
    const basic = parseBasic(auth);
    if (basic) {
      const viaToken = await this.requestToken(basic.password, agent, accepts);
      if (viaToken) return viaToken;
      if (basic.user.includes('@')) return this.passwordPrincipal(basic.user, basic.password, creds.ip, accepts);
    }
    throw new UnauthorizedError();
  }

  async logout(tokenId: number): Promise<void> {
    await this.deps.tokens.delete(tokenId);
    this.principals.invalidate({ type: 'token-revoked', tokenId });
  }

  /** Basic e-mail:password on an ordinary endpoint: throttled like login, and never a way around its steps. */
  private async passwordPrincipal(email: string, password: string, ip: string | undefined, accepts: readonly RestrictedAccess[]): Promise<Principal> {
    const keys = { email, ip };
    await this.guard.before(keys);
    const { user, ok } = await this.checkPassword(email, password);
    if (!user || !ok) {
      await this.guard.failed({ ...keys, user }, `Basic authentication of ${JSON.stringify(email.slice(0, 254))} failed: wrong e-mail or password`);
      throw new UnauthorizedError();
    }
    this.guard.succeeded(email);
    const needs = await this.deps.loginPolicy.requirements(user);
    if (needs.twoFactor) throw new UnauthorizedError('two-factor login is required for this user: log in with POST /api/v2/auth and use the token');
    if (needs.passwordChange && !accepts.includes('password-change')) throw new ForbiddenError(passwordChangeRequired);
    return this.principalForUser(user, 0, null);
  }

  /** A token presented to a REST or tRPC call, checked against what the call accepts. */
  private async requestToken(secret: string, agent: string, accepts: readonly RestrictedAccess[]): Promise<Principal | null> {
    if (!secret || secret.length > 512) return null;
    const hash = hashToken(secret);
    // Only full tokens are cached, so a hit needs none of the restricted-type checks below.
    const cached = await this.cachedPrincipal(hash, agent);
    if (cached !== undefined) return cached;
    const generation = this.principals.generation;
    const token = await this.liveToken(secret, hash);
    if (!token) return null;
    if (!restrictedTokenTypes.includes(token.type)) return this.resolveFullToken(hash, token, agent, generation);
    if (token.type === tokenType.twoFactor) {
      if (!accepts.includes('two-factor-enrolment') || !(await this.mayEnrolWith(token))) {
        throw new UnauthorizedError('two-factor login not completed: PUT /api/v2/auth with {"challenge": "<code>"}');
      }
    } else if (token.type === tokenType.reset) {
      throw new UnauthorizedError('a password reset token only works for PUT /api/v2/auth/reset_password');
    } else if (token.type === tokenType.passwordChange && !accepts.includes('password-change')) {
      throw new ForbiddenError(passwordChangeRequired);
    }
    const principal = await this.principalFor(token);
    if (principal) await this.touch(token, agent);
    return principal;
  }

  /** A pending login may enrol only while the user has no secret: afterwards it needs a code. */
  private async mayEnrolWith(token: TokenRecord): Promise<boolean> {
    const user = await this.deps.users.get(token.userId);
    if (!user) return false;
    const needs = await this.deps.loginPolicy.requirements(user);
    return needs.twoFactor && !needs.enrolled;
  }

  private async startSession(user: UserRecord, mustChangePassword: boolean, agent: string | undefined, how: string): Promise<LoginAnswer> {
    const type = mustChangePassword ? tokenType.passwordChange : tokenType.login;
    const session = await this.issue(user.id, type, { expire: 0, sessionTimeout: loginSessionTimeout, agent });
    await this.audit.record({
      action: 'auth',
      objectType: 'user',
      objectId: user.id,
      userId: user.id,
      organizationId: user.organizationIds[0] ?? null,
      description: `login of ${user.email} with ${how}${mustChangePassword ? ' (password change required)' : ''}`,
    });
    return { ...session, ...(mustChangePassword && { password_change_required: true as const }) };
  }

  private async issue(userId: number, type: string, opts: { expire: number; sessionTimeout: number; agent?: string }) {
    const secret = newTokenSecret();
    const record = await this.deps.tokens.create({
      userId,
      tokenHash: hashToken(secret),
      type,
      name: type,
      created: this.now(),
      expire: opts.expire,
      sessionTimeout: opts.sessionTimeout,
      permissions: null,
      agent: (opts.agent ?? '').slice(0, 200),
    });
    return { token: secret, tokenId: record.id, userId };
  }

  private countChallengeFailure(token: TokenRecord): number {
    const now = this.now();
    for (const [id, entry] of this.challengeFailures) if (entry.expire <= now) this.challengeFailures.delete(id);
    const entry = this.challengeFailures.get(token.id) ?? { count: 0, expire: token.expire };
    entry.count += 1;
    this.challengeFailures.set(token.id, entry);
    return entry.count;
  }

  private async endPending(tokenId: number): Promise<void> {
    this.challengeFailures.delete(tokenId);
    await this.deps.tokens.delete(tokenId);
  }

  private async checkPassword(email: string, password: string): Promise<{ user: UserRecord | null; ok: boolean }> {
    // No stored address holds U+0000 (PostgreSQL text cannot), so such a login names no user.
    const user = email.includes('\u0000') ? null : await this.deps.users.findByEmail(email.trim().toLowerCase());
    // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
    const ok = await verifyPassword(user?.passwordHash ?? dummyHash, password);
    return { user, ok: !!user && ok && !this.isExpired(user) };
  }

  /** The token of a secret when it exists and has neither expired nor timed out. */
  private async liveToken(secret: string, hash?: string): Promise<TokenRecord | null> {
    if (!secret || secret.length > 512) return null;
    const token = await this.deps.tokens.findByHash(hash ?? hashToken(secret));
    return token && this.tokenAlive(token) ? token : null;
  }

  /**
   * A cached full token's principal (a copy, so each request has its own object), null when the
   * cached token or user has expired meanwhile, undefined on a miss. Expiry and session timeout are
   * checked here on every request: the cache never extends a token's life.
   */
  private async cachedPrincipal(hash: string, agent: string): Promise<Principal | null | undefined> {
    const hit = this.principals.get(hash);
    if (!hit) return undefined;
    if (!this.tokenAlive(hit.token) || isExpiredAt(hit.userExpireAt, this.now())) {
      this.principals.delete(hash);
      return null;
    }
    await this.touch(hit.token, agent);
    return { ...hit.principal };
  }

  /** Resolves a live full token from the database and caches it unless access changed meanwhile. */
  private async resolveFullToken(hash: string, token: TokenRecord, agent: string, generation: number): Promise<Principal | null> {
    const user = await this.deps.users.get(token.userId);
    if (!user || this.isExpired(user)) return null;
    const principal = await this.principalForUser(user, token.id, token.permissions);
    await this.touch(token, agent);
    this.principals.set(hash, { token, userExpireAt: user.expireAt, principal: { ...principal } }, generation);
    return principal;
  }

  /** Writes lastUsed at most once per {@link touchInterval}; `token` may be the cached row, kept current. */
  private async touch(token: TokenRecord, agent: string): Promise<void> {
    const now = this.now();
    if (now - token.lastUsed < touchInterval) return;
    // Set before the write so concurrent requests on a cached token do not all write.
    token.lastUsed = now;
    await this.deps.tokens.touch(token.id, now, agent.slice(0, 200));
  }

  private orUnauthorized(p: Principal | null): Principal {
    if (!p) throw new UnauthorizedError();
    return p;
  }

  private tokenAlive(token: TokenRecord): boolean {
    return tokenAlive(token, this.now());
  }

  private isExpired(user: UserRecord): boolean {
    return isExpiredAt(user.expireAt, this.now());
  }

  private async principalFor(token: TokenRecord): Promise<Principal | null> {
    const user = await this.deps.users.get(token.userId);
    if (!user || this.isExpired(user)) return null;
    return this.principalForUser(user, token.id, token.permissions);
  }

  private async principalForUser(user: UserRecord, tokenId: number, subset: string[] | null): Promise<Principal> {
    const role = user.roleId === null ? null : await this.deps.roles.get(user.roleId);
    const granted = Object.entries(role?.permissions ?? {})
      .filter(([, on]) => on)
      .map(([key]) => key);
    const permissions = new Set(subset ? granted.filter((k) => subset.includes(k)) : granted);
    const principal: Principal = { userId: user.id, email: user.email, roleId: user.roleId, tokenId, permissions, organizationIds: user.organizationIds };
    if (subset) principal.narrowed = true;
    return principal;
  }
}

function isExpiredAt(expireAt: number, now: number): boolean {
  return expireAt > 0 && expireAt <= now;
}

export function tokenAlive(token: TokenRecord, now: number): boolean {
  if (token.expire > 0 && token.expire <= now) return false;
  if (token.sessionTimeout > 0 && Math.max(token.lastUsed, token.created) + token.sessionTimeout <= now) return false;
  return true;
}

/** The token secret of a request in any scheme of spec 3.1 (Bearer, X-API-Key, Basic password). */
export function tokenSecretOf(creds: RequestCredentials): string | undefined {
  const auth = creds.authorization?.trim() ?? '';
  const bearer = /^bearer\s+(.+)$/i.exec(auth);
  if (bearer) return bearer[1].trim();
  if (creds.apiKey) return creds.apiKey.trim();
  return parseBasic(auth)?.password;
}

export function parseBasic(header: string): { user: string; password: string } | null {
  const m = /^basic\s+([A-Za-z0-9+/=_-]+)$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// argon2id hash of a random string nobody knows; only used to spend equal time on unknown users.
const dummyHash = '$argon2id$v=19$m=19456,t=2,p=1$uTM2Wl7/OQ7pIWYw+2xaNg$8sRwzXtFDDNiW4CxPiA1KIY/ev79+W4TekKQ9WUlraM';
