// Organizations are walls: an organization's user sees its own installations, not another's.
import { expect, test } from '@playwright/test';
import { restLogin, trpc } from '../support/api.js';
import { expectAccessible, navigate, signIn } from '../support/ui.js';

test('a user of another organization does not see the installation', async ({ page }, testInfo) => {
  const admin = await restLogin();
  const suffix = Date.now().toString(36);
  const me = await trpc<{ organisations: number[] }>(admin, 'query', 'me');
  const other = await trpc<{ id: number }>(admin, 'mutation', 'organizations.create', { name: `Tenant ${suffix}`, parent: me.organisations[0] });
  const roles = await trpc<{ id: number; name: string }[]>(admin, 'query', 'roles.list');
  const orgAdmin = roles.find((r) => /organi[sz]ation admin/i.test(r.name)) ?? roles.find((r) => /user/i.test(r.name));
  const email = `tenant-${suffix}@example.com`;
  const password = 'tenant-password-1';
  await trpc(admin, 'mutation', 'users.create', { email, password, organisations: [other.id], ...(orgAdmin ? { role: orgAdmin.id } : {}) });
  const hidden = `Head office ${suffix}`;
  await trpc(admin, 'mutation', 'installations.create', { name: hidden, organization_id: me.organisations[0] });
  const visible = `Tenant site ${suffix}`;
  await trpc(admin, 'mutation', 'installations.create', { name: visible, organization_id: other.id });

  await signIn(page, email, password);
  await navigate(page, 'Installations');
  await expect(page.getByRole('link', { name: visible })).toBeVisible();
  await expect(page.getByText(hidden)).toHaveCount(0);
  await navigate(page, 'Overview');
  await expect(page.getByText(visible).first()).toBeVisible();
  await expect(page.getByText(hidden)).toHaveCount(0);
  // Server-wide screens are not offered to an organization's admin.
  await expect(page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'System', exact: true })).toHaveCount(0);
  await expectAccessible(page, testInfo, 'overview-tenant');
});
