// Users as the Lynx API shows them (spec 1.3). This version covers what the REST core needs: the
// caller's own record and user creation by an administrator; the full CRUD arrives with the AAM issue.
import { z } from 'zod';
import { parseInput } from './parse-input.js';
import type { User } from '@lynx/shared';
import type { AccessEventHub } from '../access-events.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { OrganizationTree } from '../organization-tree.js';
import type { Principal } from '../principal.js';
import type { RolesRepository } from '../repositories/roles.js';
import type { UserRecord, UsersRepository } from '../repositories/users.js';
import { hashPassword } from './secrets.js';

const addressInput = z
  .object({ address: z.string().default(''), city: z.string().default(''), country: z.string().default(''), zip: z.string().default('') })
  .partial()
  .default({});

export const createUserInput = z.object({
  email: z.email(),
  password: z.string().min(8, 'password must have at least 8 characters'),
  first_name: z.string().default(''),
  last_name: z.string().default(''),
  mobile: z.string().default(''),
  note: z.string().default(''),
  role: z.number().int().optional(),
  sms_login: z.boolean().default(false),
  address: addressInput,
  organisations: z.array(z.number().int()).min(1).optional(),
  expire_at: z.number().int().min(0).default(0),
  meta: z.record(z.string(), z.string()).default({}),
  protected_meta: z.record(z.string(), z.string()).default({}),
});

export function userView(u: UserRecord, showProtected: boolean): User {
  return {
    id: u.id,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    mobile: u.mobile,
    note: u.note,
    role: u.roleId ?? 0,
    sms_login: u.smsLogin,
    address: { address: u.street, city: u.city, country: u.country, zip: u.zip },
    organisations: u.organizationIds,
    assigned_installations: u.installationIds,
    expire_at: u.expireAt,
    meta: Object.fromEntries(u.meta.filter((m) => !m.protected).map((m) => [m.key, m.value])),
    protected_meta: showProtected ? Object.fromEntries(u.meta.filter((m) => m.protected).map((m) => [m.key, m.value])) : {},
  };
}

export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly roles: RolesRepository,
    private readonly organizations: OrganizationTree,
    private readonly hub: AccessEventHub,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async me(p: Principal): Promise<User> {
    const user = await this.users.get(p.userId);
    if (!user) throw new NotFoundError('user not found');
    return userView(user, p.permissions.has('user/view/protected_meta/all'));
  }

  async get(p: Principal, id: number): Promise<User> {
    if (id !== p.userId && !p.permissions.has('user/list')) throw new ForbiddenError('missing permission user/list');
    const user = await this.users.get(id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    if (id !== p.userId && !user.organizationIds.some((o) => this.organizations.subtree(p.organizationIds).has(o))) {
      throw new NotFoundError(`user ${id} not found`);
    }
    return userView(user, p.permissions.has('user/view/protected_meta/all'));
  }

  async create(p: Principal, body: unknown): Promise<User> {
    if (!p.permissions.has('user/create/delete')) throw new ForbiddenError('missing permission user/create/delete');
    const input = parseInput(createUserInput, body ?? {});
    const reach = this.organizations.subtree(p.organizationIds);
    const organizationIds = input.organisations ?? p.organizationIds.slice(0, 1);
    for (const org of organizationIds) {
      if (!this.organizations.has(org)) throw new BadRequestError(`organization ${org} does not exist`);
      if (!reach.has(org)) throw new ForbiddenError(`organization ${org} is outside your organizations`);
    }
    let roleId: number | null = null;
    if (input.role !== undefined && input.role !== 0) {
      const role = await this.roles.get(input.role);
      if (!role) throw new BadRequestError(`role ${input.role} does not exist`);
      roleId = role.id;
    } else {
      roleId = (await this.roles.findByName('user'))?.id ?? null;
    }
    return this.createRecord({ ...input, roleId, organizationIds }).then((u) => userView(u, true));
  }

  /** Creates a user without a caller (first start, CLI). */
  async createRecord(input: z.infer<typeof createUserInput> & { roleId: number | null; organizationIds: number[] }): Promise<UserRecord> {
    const email = input.email.trim().toLowerCase();
    if (await this.users.findByEmail(email)) throw new ConflictError(`a user with e-mail ${email} already exists`);
    const record = await this.users.create(
      {
        email,
        passwordHash: await hashPassword(input.password),
        firstName: input.first_name,
        lastName: input.last_name,
        mobile: input.mobile,
        note: input.note,
        roleId: input.roleId,
        smsLogin: input.sms_login,
        street: input.address.address ?? '',
        city: input.address.city ?? '',
        country: input.address.country ?? '',
        zip: input.address.zip ?? '',
        expireAt: input.expire_at,
        organizationIds: input.organizationIds,
        meta: [
          ...Object.entries(input.meta).map(([key, value]) => ({ key, value, protected: false })),
          ...Object.entries(input.protected_meta).map(([key, value]) => ({ key, value, protected: true })),
        ],
      },
      this.now(),
    );
    this.hub.emit({ type: 'access-changed', userId: record.id });
    return record;
  }
}
