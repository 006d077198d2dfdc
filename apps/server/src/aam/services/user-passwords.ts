// Password changes (spec 2.5, 2.6). A new password ends the sessions opened with the old one:
// changing your own keeps the calling token and logs out every other login token; an
// administrator's reset logs out all of them. API keys survive both: they are separate credentials
// (integrations, MQTT devices), listed and revoked through the token endpoints.
import type { MessageResponse } from '@lynx/shared';
import { z } from 'zod';
import type { AccessEventHub } from '../access-events.js';
import { noAudit, type Audit } from '../audit.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { TokensRepository } from '../repositories/tokens.js';
import type { UsersRepository } from '../repositories/users.js';
import type { AccessPolicy } from './access-policy.js';
import type { AdminScope } from './admin-scope.js';
import { passwordSessionTypes, tokenType } from './login-tokens.js';
import { parseInput } from './parse-input.js';
import { hashPassword, verifyPassword } from './secrets.js';
import { changeOwnPasswordInput, passwordSchema, resetPasswordInput } from './user-input.js';

const resetWithTokenInput = z.object({ password: passwordSchema });

/** Setting holding the Unix time a user was told to choose a new password (force_password_reset). */
export const passwordResetKey = (userId: number) => `user.${userId}.password_reset_required`;

export interface UserPasswordsDeps {
  users: Pick<UsersRepository, 'get' | 'setPasswordHash' | 'listInOrganizations'>;
  tokens: Pick<TokensRepository, 'deleteForUser' | 'changeType'>;
  settings: Pick<SettingsRepository, 'get' | 'setMany' | 'delete'>;
  scope: AdminScope;
  policy: AccessPolicy;
  hub: AccessEventHub;
  now?: () => number;
  /** Password changes and resets are recorded as updates of their user (spec 1.14). */
  audit?: Audit;
}

export class UserPasswordsService {
  private readonly now: () => number;

  constructor(private readonly deps: UserPasswordsDeps) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** `PUT /user/me/password`: the current password proves it is the user, not a stolen session. */
  async changeOwn(p: Principal, body: unknown): Promise<MessageResponse> {
    this.deps.policy.requireAccountOwner(p);
    const input = parseInput(changeOwnPasswordInput, body ?? {});
    const user = await this.deps.users.get(p.userId);
    if (!user) throw new NotFoundError('user not found');
    if (!(await verifyPassword(user.passwordHash, input.current_password))) throw new BadRequestError('invalid current_password: does not match');
    // Otherwise a forced or expired password could be "changed" to itself.
    if (input.new_password === input.current_password) throw new BadRequestError('invalid new_password: must differ from the current password');
    await this.store(p.userId, input.new_password, p.tokenId || undefined);
    await this.passwordChanged(user);
    return { message: 'password changed' };
  }

  /** `PUT /user/{id}/password` by an administrator; your own id goes through {@link changeOwn}. */
  async reset(p: Principal, target: number | 'me', body: unknown): Promise<MessageResponse> {
    this.deps.policy.requireUser(p);
    const id = target === 'me' ? p.userId : target;
    if (id === p.userId) return this.changeOwn(p, body);
    this.deps.policy.requirePermission(p, 'user/update');
    const input = parseInput(resetPasswordInput, body ?? {});
    const user = await this.deps.users.get(id);
    if (!user || !this.deps.scope.seesUser(p, user)) throw new NotFoundError(`user ${id} not found`);
    await this.deps.scope.requireOutranks(p, user);
    await this.store(id, input.new_password);
    await this.passwordChanged(user);
    return { message: `password of user ${id} changed` };
  }

  /**
   * `POST /organization/{id}/force_password_reset`: marks every member the caller manages as
   * having to choose a new password; their next login can only change it (auth.ts).
   */
  async forceReset(p: Principal, organizationId: number): Promise<MessageResponse> {
    this.deps.policy.requirePermission(p, 'user/update');
    const reach = this.deps.scope.organizations(p);
    if (!reach.has(organizationId)) throw new NotFoundError(`organization ${organizationId} not found`);
    const mine = await this.deps.scope.priority(p);
    const marked: number[] = [];
    for (const user of await this.deps.users.listInOrganizations([organizationId])) {
      if ((await this.deps.scope.priorityOfRole(user.roleId)) <= mine) marked.push(user.id);
    }
    const at = String(this.now());
    await this.deps.settings.setMany(marked.map((id) => ({ key: passwordResetKey(id), value: at })));
    await (this.deps.audit ?? noAudit).record({
      action: 'update',
      objectType: 'organization',
      objectId: organizationId,
      description: `password reset required for ${marked.length} user(s)`,
      organizationId,
    });
    return { message: `${marked.length} user(s) of organization ${organizationId} must choose a new password` };
  }

  /** `PUT /auth/reset_password {password}`: the reset token (checked by the caller) stands in for the old password. */
  async setFromResetToken(userId: number, body: unknown): Promise<MessageResponse> {
    const input = parseInput(resetWithTokenInput, body ?? {});
    await this.store(userId, input.password);
    // Nobody is logged in: the reset token's owner did it.
    const user = await this.deps.users.get(userId);
    await this.passwordChanged(user ?? { id: userId, organizationIds: [] }, userId);
    return { message: 'password changed' };
  }

  async resetRequired(userId: number): Promise<boolean> {
    return (await this.deps.settings.get(passwordResetKey(userId))) !== null;
  }

  private passwordChanged(user: { id: number; organizationIds: readonly number[] }, actorId?: number): Promise<void> {
    return (this.deps.audit ?? noAudit).record({
      action: 'update',
      objectType: 'user',
      objectId: user.id,
      description: 'password changed',
      organizationId: user.organizationIds[0] ?? null,
      ...(actorId !== undefined && { userId: actorId }),
    });
  }

  private async store(userId: number, password: string, keepTokenId?: number): Promise<void> {
    await this.deps.users.setPasswordHash(userId, await hashPassword(password), this.now());
    await this.deps.settings.delete(passwordResetKey(userId));
    // Pending two-factor logins, reset tokens and must-change logins were opened by the old password too.
    const revoked = await this.deps.tokens.deleteForUser(userId, { type: passwordSessionTypes, except: keepTokenId });
    for (const tokenId of revoked) this.deps.hub.emit({ type: 'token-revoked', tokenId });
    // The login that had to change the password becomes a full one.
    if (keepTokenId !== undefined) await this.deps.tokens.changeType(keepTokenId, tokenType.passwordChange, tokenType.login);
  }
}
