// Who is calling: login with e-mail and password, and resolution of every credential form of
// spec 3.1/3.3 (X-API-Key, Bearer, Basic with a token, Basic with e-mail and password) to a Principal.
import { UnauthorizedError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { RolesRepository } from '../repositories/roles.js';
import type { TokenRecord, TokensRepository } from '../repositories/tokens.js';
import type { UserRecord, UsersRepository } from '../repositories/users.js';
import { hashToken, newTokenSecret, verifyPassword } from './secrets.js';

export interface RequestCredentials {
  authorization?: string;
  apiKey?: string;
  ip?: string;
  agent?: string;
}

/** Login tokens end after this long without use (they are also valid MQTT passwords). */
const loginSessionTimeout = 7 * 24 * 3600;
/** lastUsed is written at most this often per token, so authentication is not a write per request. */
const touchInterval = 60;

export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokensRepository,
    private readonly roles: RolesRepository,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async login(email: string, password: string, agent = ''): Promise<{ token: string; tokenId: number; userId: number }> {
    const user = await this.verifyUserPassword(email, password);
    if (!user) throw new UnauthorizedError();
    const secret = newTokenSecret();
    const record = await this.tokens.create({
      userId: user.id,
      tokenHash: hashToken(secret),
      type: 'login',
      name: 'login',
      created: this.now(),
      expire: 0,
      sessionTimeout: loginSessionTimeout,
      permissions: null,
      agent,
    });
    return { token: secret, tokenId: record.id, userId: user.id };
  }

  async verifyUserPassword(email: string, password: string): Promise<UserRecord | null> {
    // No stored address holds U+0000 (PostgreSQL text cannot), so such a login names no user.
    const user = email.includes('\u0000') ? null : await this.users.findByEmail(email.trim().toLowerCase());
    // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
    const ok = await verifyPassword(user?.passwordHash ?? dummyHash, password);
    if (!user || !ok || this.isExpired(user)) return null;
    return user;
  }

  /** Resolves a token secret; null when unknown, expired, timed out, or its user is expired. */
  async authenticateToken(secret: string, agent = ''): Promise<Principal | null> {
    if (!secret || secret.length > 512) return null;
    const token = await this.tokens.findByHash(hashToken(secret));
    if (!token || !this.tokenAlive(token)) return null;
    const principal = await this.principalFor(token);
    if (!principal) return null;
    const now = this.now();
    if (now - token.lastUsed >= touchInterval) await this.tokens.touch(token.id, now, agent.slice(0, 200));
    return principal;
  }

  /** Re-reads a principal's rights from its token id (used to refresh cached MQTT access). */
  async principalForTokenId(tokenId: number): Promise<Principal | null> {
    const token = await this.tokens.get(tokenId);
    if (!token || !this.tokenAlive(token)) return null;
    return this.principalFor(token);
  }

  /** Spec 3.1 order: Bearer, X-API-Key, Basic with a token as password, Basic with e-mail and password. */
  async authenticateRequest(creds: RequestCredentials): Promise<Principal> {
    const agent = creds.agent ?? '';
    const auth = creds.authorization?.trim() ?? '';
    const bearer = /^bearer\s+(.+)$/i.exec(auth);
    if (bearer) return this.orUnauthorized(await this.authenticateToken(bearer[1].trim(), agent));
    if (creds.apiKey) return this.orUnauthorized(await this.authenticateToken(creds.apiKey.trim(), agent));
    const basic = parseBasic(auth);
    if (basic) {
      const viaToken = await this.authenticateToken(basic.password, agent);
      if (viaToken) return viaToken;
      if (basic.user.includes('@')) {
        const user = await this.verifyUserPassword(basic.user, basic.password);
        if (user) return this.orUnauthorized(await this.principalForUser(user, 0, null));
      }
    }
    throw new UnauthorizedError();
  }

  async logout(tokenId: number): Promise<void> {
    await this.tokens.delete(tokenId);
  }

  private orUnauthorized(p: Principal | null): Principal {
    if (!p) throw new UnauthorizedError();
    return p;
  }

  private tokenAlive(token: TokenRecord): boolean {
    const now = this.now();
    if (token.expire > 0 && token.expire <= now) return false;
    if (token.sessionTimeout > 0 && Math.max(token.lastUsed, token.created) + token.sessionTimeout <= now) return false;
    return true;
  }

  private isExpired(user: UserRecord): boolean {
    return user.expireAt > 0 && user.expireAt <= this.now();
  }

  private async principalFor(token: TokenRecord): Promise<Principal | null> {
    const user = await this.users.get(token.userId);
    if (!user || this.isExpired(user)) return null;
    return this.principalForUser(user, token.id, token.permissions);
  }

  private async principalForUser(user: UserRecord, tokenId: number, subset: string[] | null): Promise<Principal> {
    const role = user.roleId === null ? null : await this.roles.get(user.roleId);
    const granted = Object.entries(role?.permissions ?? {})
      .filter(([, on]) => on)
      .map(([key]) => key);
    const permissions = new Set(subset ? granted.filter((k) => subset.includes(k)) : granted);
    return { userId: user.id, email: user.email, roleId: user.roleId, tokenId, permissions, organizationIds: user.organizationIds };
  }
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
