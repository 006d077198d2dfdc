// Request body and views of organizations (spec 1.2). Go clients send every field, null for unset
// maps, so null means "keep"; `parent: 0` also means "keep", since 0 is how a root is shown.
import { z } from 'zod';
import { maxStoredInt } from './stored-values.js';
import type { Organization } from '@lynx/shared';
import type { OrganizationRecord } from '../repositories/organizations.js';
import { metaMapInputSchema, toMetaMaps } from './meta.js';

const keep = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
const text = (max = 1000) => z.string().max(max, `must be at most ${max} characters`).nullish().transform(keep);

// node-lynx types ids in the minimal list as strings; accept either form back.
const idInput = z.union([z.number().int().nonnegative().max(maxStoredInt), z.string().regex(/^[0-9]{1,9}$/, 'must be an organization id').transform(Number)]);

export const organizationInput = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters').nullish().transform(keep),
  parent: idInput.nullish().transform((v) => v || undefined),
  email: text(254),
  phone: text(64),
  notes: text(10_000),
  address: z
    .object({ address: text(), city: text(), country: text(), zip: text(64) })
    .nullish()
    .transform(keep),
  force_sms_login: z.boolean().nullish().transform(keep),
  password_valid_days: z.number().int().min(0).max(100_000).nullish().transform(keep),
  meta: metaMapInputSchema,
  protected_meta: metaMapInputSchema,
});
export type OrganizationInput = z.infer<typeof organizationInput>;

/** Column values of a body; undefined leaves a stored value alone. */
export function organizationFields(input: OrganizationInput) {
  return {
    name: input.name,
    email: input.email,
    phone: input.phone,
    notes: input.notes,
    street: input.address?.address,
    city: input.address?.city,
    country: input.address?.country,
    zip: input.address?.zip,
    forceSmsLogin: input.force_sms_login,
    passwordValidDays: input.password_valid_days,
  };
}

export function organizationView(r: OrganizationRecord, opts: { showProtected: boolean; childVisible: (id: number) => boolean }): Organization {
  return {
    id: r.id,
    name: r.name,
    address: { address: r.street, city: r.city, country: r.country, zip: r.zip },
    email: r.email,
    phone: r.phone,
    notes: r.notes,
    force_sms_login: r.forceSmsLogin,
    parent: r.parentId ?? 0,
    children: r.children.filter((c) => opts.childVisible(c.id)),
    password_valid_days: r.passwordValidDays,
    ...toMetaMaps(r.meta, opts.showProtected),
  };
}
