// API tokens of a user (spec 1.16, 2.6): created with a secret shown once, stored hashed, and
// revoked at once everywhere (REST looks each request up; MQTT connections are closed via the hub).
import { z } from 'zod';
import { maxStoredInt } from './stored-values.js';
import { parseInput } from './parse-input.js';
import { permissionKeys } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit, type TraceAction } from '../audit.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { TokenRecord, TokensRepository } from '../repositories/tokens.js';
import type { UsersRepository } from '../repositories/users.js';
import { requireUser } from './access-policy.js';
import type { AdminScope } from './admin-scope.js';
import { tokenAlive } from './auth.js';
import { tokenType } from './login-tokens.js';
import { hashToken, newTokenSecret } from './secrets.js';

const unlistedTypes: ReadonlySet<string> = new Set([tokenType.twoFactor, tokenType.reset]);

export const createTokenInput = z.object({
  name: z.string().max(200).default(''),
  expire: z.coerce.number().int().min(0).max(maxStoredInt).default(0),
  session_timeout: z.coerce.number().int().min(0).max(maxStoredInt).default(0),
  permissions: z.array(z.string()).optional(),
  // Secrets are always 128-bit; a requested length is accepted for compatibility and ignored.
  length: z.coerce.number().int().optional(),
});

export interface TokenView {
  id: number;
  type: string;
  created: number;
  token?: string;
  name: string;
  expire: number;
  session_timeout: number;
  permissions?: string[];
  accessed: { ip: string; agent: string; last_accessed: number }[];
  last_used: number;
  current: boolean;
  agent: string;
}

export class TokensService {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly users: Pick<UsersRepository, 'get'>,
    private readonly hub: AccessEventHub,
    private readonly scope: AdminScope,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
    /** Token creation and deletion are recorded as changes of their user (spec 1.14). */
    private readonly audit: Audit = noAudit,
  ) {}

  /** Another user's tokens are managed only within the caller's subtree and priority (spec 1.4). */
  private async targetUser(p: Principal, userId: number | 'me', action: 'list' | 'manage'): Promise<number> {
    requireUser(p);
    const id = userId === 'me' ? p.userId : userId;
    if (id === p.userId) return id;
    const key = action === 'list' ? 'user/security/token/list/all' : 'user/security/token/create_delete';
    if (!p.permissions.has(key) || !p.permissions.has('user/security/token/list/all')) throw new ForbiddenError(`missing permission ${key}`);
    const user = await this.users.get(id);
    if (!user || !this.scope.seesUser(p, user)) throw new NotFoundError(`user ${id} not found`);
    await this.scope.requireOutranks(p, user);
    return id;
  }

  async list(p: Principal, userId: number | 'me'): Promise<TokenView[]> {
    const id = await this.targetUser(p, userId, 'list');
    // Two-factor and reset tokens are steps of a login in flight, not sessions or keys to manage.
    return (await this.tokens.listForUser(id)).filter((t) => !unlistedTypes.has(t.type)).map((t) => this.view(t, p));
  }

  async create(p: Principal, userId: number | 'me', body: unknown): Promise<TokenView> {
    const id = await this.targetUser(p, userId, 'manage');
    if (!p.permissions.has('user/security/token/create_delete')) throw new ForbiddenError('missing permission user/security/token/create_delete');
    const input = parseInput(createTokenInput, body ?? {});
    const now = this.now();
    if (input.expire !== 0 && input.expire <= now) throw new BadRequestError('expire must be 0 (never) or a future Unix time');
    if (input.permissions) {
      const unknown = input.permissions.filter((k) => !(permissionKeys as readonly string[]).includes(k));
      if (unknown.length) throw new BadRequestError(`unknown permission ${unknown[0]}`);
      // A token can narrow its creator's rights, never widen them.
      const notHeld = input.permissions.filter((k) => !p.permissions.has(k));
      if (id === p.userId && notHeld.length) throw new ForbiddenError(`a token cannot grant ${notHeld[0]}, which you do not have`);
    }
    const secret = newTokenSecret();
    const record = await this.tokens.create({
      userId: id,
      tokenHash: hashToken(secret),
      type: 'api',
      name: input.name,
      created: now,
      expire: input.expire,
      sessionTimeout: input.session_timeout,
      permissions: input.permissions ?? null,
      agent: '',
    });
    await this.trace('create', p, id, `API token ${record.id} created${input.name ? ` ("${input.name}")` : ''}`);
    return { ...this.view(record, p), token: secret };
  }

  async delete(p: Principal, userId: number | 'me', tokenId: number): Promise<{ message: string }> {
    const id = await this.targetUser(p, userId, 'manage');
    const token = await this.tokens.get(tokenId);
    if (!token || token.userId !== id) throw new NotFoundError(`token ${tokenId} not found`);
    await this.revoke(tokenId);
    await this.trace('delete', p, id, `${token.type === 'login' ? 'login' : 'API'} token ${tokenId} deleted`);
    return { message: `token ${tokenId} deleted` };
  }

  /**
   * Deletes tokens that no longer work (expired, timed out), so the table does not grow with every
   * login, and announces each so connections still holding one let go.
   */
  async sweepEnded(): Promise<number> {
    const now = this.now();
    let swept = 0;
    for (const token of await this.tokens.listEndingCandidates(now)) {
      if (tokenAlive(token, now)) continue;
      await this.revoke(token.id);
      swept++;
    }
    return swept;
  }

  /** Deletes a token and tells every cache of it (MQTT connections) to let go now. */
  async revoke(tokenId: number): Promise<void> {
    await this.tokens.delete(tokenId);
    this.hub.emit({ type: 'token-revoked', tokenId });
  }

  /** Scoped like the user's own entries: its first organization. Never names the secret. */
  private async trace(action: TraceAction, p: Principal, userId: number, description: string): Promise<void> {
    const organizationIds = userId === p.userId ? p.organizationIds : ((await this.users.get(userId).catch(() => null))?.organizationIds ?? []);
    await this.audit.record({ action, objectType: 'user', objectId: userId, description, organizationId: organizationIds[0] ?? null });
  }

  private view(t: TokenRecord, p: Principal): TokenView {
    return {
      id: t.id,
      type: t.type,
      created: t.created,
      name: t.name,
      expire: t.expire,
      session_timeout: t.sessionTimeout,
      ...(t.permissions ? { permissions: t.permissions } : {}),
      accessed: t.lastUsed ? [{ ip: '', agent: t.agent, last_accessed: t.lastUsed }] : [],
      last_used: t.lastUsed,
      current: t.id === p.tokenId,
      agent: t.agent,
    };
  }
}
