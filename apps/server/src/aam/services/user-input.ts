// Request bodies of the user endpoints and the User view (spec 1.3). Go clients send every field,
// with zero values (0, null, "") for the ones they did not set, so update fields are all optional
// and null means "keep".
import { z } from 'zod';
import { maxStoredInt } from './stored-values.js';
import type { User } from '@lynx/shared';
import type { UserRecord } from '../repositories/users.js';
import { metaMapInputSchema, toMetaMaps } from './meta.js';

const text = (max = 1000) => z.string().max(max, `must be at most ${max} characters`);
const keep = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
const ids = z.array(z.number().int().positive().max(maxStoredInt));

// E-mail is the login name: compared trimmed and in lower case everywhere.
const emailSchema = z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address').max(254));

export const passwordSchema = z.string().min(8, 'password must have at least 8 characters').max(1024, 'password must be at most 1024 characters');

const addressInput = z
  .object({ address: text(), city: text(), country: text(), zip: text(64) })
  .partial()
  .nullish()
  .transform((v) => v ?? {});

export const createUserInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  first_name: text(255).default(''),
  last_name: text(255).default(''),
  mobile: text(64).default(''),
  note: text().default(''),
  role: z.number().int().max(maxStoredInt).optional(),
  sms_login: z.boolean().default(false),
  address: addressInput,
  organisations: ids.min(1).optional(),
  assigned_installations: ids.optional(),
  expire_at: z.number().int().min(0).max(maxStoredInt).default(0),
  meta: z.record(z.string(), z.string()).default({}),
  protected_meta: z.record(z.string(), z.string()).default({}),
});
export type CreateUserInput = z.infer<typeof createUserInput>;

export const updateUserInput = z.object({
  email: emailSchema.nullish().transform(keep),
  first_name: text(255).nullish().transform(keep),
  last_name: text(255).nullish().transform(keep),
  mobile: text(64).nullish().transform(keep),
  note: text().nullish().transform(keep),
  // 0 is Go's zero value and what a user without a role is shown with: it never means "remove".
  role: z
    .number()
    .int()
    .nonnegative()
    .max(maxStoredInt)
    .nullish()
    .transform((v) => v || undefined),
  sms_login: z.boolean().nullish().transform(keep),
  address: z
    .object({ address: text().nullish(), city: text().nullish(), country: text().nullish(), zip: text(64).nullish() })
    .nullish()
    .transform(keep),
  organisations: ids
    .min(1, 'a user must belong to at least one organization')
    .nullish()
    .transform((v) => (v ? [...new Set(v)].sort((a, b) => a - b) : undefined)),
  assigned_installations: ids.nullish().transform((v) => (v ? [...new Set(v)].sort((a, b) => a - b) : undefined)),
  expire_at: z.number().int().min(0).max(maxStoredInt).nullish().transform(keep),
  meta: metaMapInputSchema,
  protected_meta: metaMapInputSchema,
});
export type UpdateUserInput = z.infer<typeof updateUserInput>;

export const changeOwnPasswordInput = z.object({
  current_password: z.string({ error: 'required' }).min(1, 'required'),
  new_password: passwordSchema,
});

export const resetPasswordInput = z.object({ new_password: passwordSchema });

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
    ...toMetaMaps(u.meta, showProtected),
  };
}

export const sameIds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Ids in exactly one of the two lists: what a change adds or removes. */
export function changedIds(before: readonly number[], after: readonly number[]): number[] {
  const a = new Set(before);
  const b = new Set(after);
  return [...new Set([...before, ...after])].filter((id) => a.has(id) !== b.has(id));
}
