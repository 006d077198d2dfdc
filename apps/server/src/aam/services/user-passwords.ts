// Password changes (spec 2.5, 2.6). A new password ends the sessions opened with the old one:
// changing your own keeps the calling token and logs out every other login token; an
// administrator's reset logs out all of them. API keys survive both: they are separate credentials
// (integrations, MQTT devices), listed and revoked through the token endpoints.
import type { MessageResponse } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { TokensRepository } from '../repositories/tokens.js';
import type { UsersRepository } from '../repositories/users.js';
import type { AccessPolicy } from './access-policy.js';
import type { AdminScope } from './admin-scope.js';
import { parseInput } from './parse-input.js';
import { hashPassword, verifyPassword } from './secrets.js';
import { changeOwnPasswordInput, resetPasswordInput } from './user-input.js';

/** Setting holding the Unix time a user was told to choose a new password (force_password_reset). */
export const passwordResetKey = (userId: number) => `user.${userId}.password_reset_required`;

export interface UserPasswordsDeps {
  users: Pick<UsersRepository, 'get' | 'setPasswordHash' | 'listInOrganizations'>;
  tokens: Pick<TokensRepository, 'deleteForUser'>;
  settings: Pick<SettingsRepository, 'get' | 'setMany' | 'delete'>;
  scope: AdminScope;
  policy: AccessPolicy;
  hub: AccessEventHub;
  now?: () => number;
}

export class UserPasswordsService {
  private readonly now: () => number;

  constructor(private readonly deps: UserPasswordsDeps) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** `PUT /user/me/password`: the current password proves it is the user, not a stolen session. */
  async changeOwn(p: Principal, body: unknown): Promise<MessageResponse> {
    const input = parseInput(changeOwnPasswordInput, body ?? {});
    const user = await this.deps.users.get(p.userId);
    if (!user) throw new NotFoundError('user not found');
    if (!(await verifyPassword(user.passwordHash, input.current_password))) throw new BadRequestError('invalid current_password: does not match');
    await this.store(p.userId, input.new_password, p.tokenId || undefined);
    return { message: 'password changed' };
  }

  /** `PUT /user/{id}/password` by an administrator; your own id goes through {@link changeOwn}. */
  async reset(p: Principal, target: number | 'me', body: unknown): Promise<MessageResponse> {
    const id = target === 'me' ? p.userId : target;
    if (id === p.userId) return this.changeOwn(p, body);
    this.deps.policy.requirePermission(p, 'user/update');
    const input = parseInput(resetPasswordInput, body ?? {});
    const user = await this.deps.users.get(id);
    if (!user || !this.deps.scope.seesUser(p, user)) throw new NotFoundError(`user ${id} not found`);
    await this.deps.scope.requireOutranks(p, user);
    await this.store(id, input.new_password);
    return { message: `password of user ${id} changed` };
  }

  /**
   * `POST /organization/{id}/force_password_reset`: marks every member the caller manages as
   * having to choose a new password. Recorded only; login does not enforce it yet.
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
    return { message: `${marked.length} user(s) of organization ${organizationId} must choose a new password` };
  }

  async resetRequired(userId: number): Promise<boolean> {
    return (await this.deps.settings.get(passwordResetKey(userId))) !== null;
  }

  private async store(userId: number, password: string, keepTokenId?: number): Promise<void> {
    await this.deps.users.setPasswordHash(userId, await hashPassword(password), this.now());
    await this.deps.settings.delete(passwordResetKey(userId));
    const revoked = await this.deps.tokens.deleteForUser(userId, { type: 'login', except: keepTokenId });
    for (const tokenId of revoked) this.deps.hub.emit({ type: 'token-revoked', tokenId });
  }
}
