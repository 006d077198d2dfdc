// First login as the admin the server created at its first start, and a wrong password refused.
import { expect, test } from '@playwright/test';
import { restLogin, trpc } from '../support/api.js';
import { e2e } from '../support/env.js';
import { expectAccessible, navigate, open, signIn } from '../support/ui.js';

test('a wrong password is refused with a message, the right one signs in to the overview', async ({ page }, testInfo) => {
  await open(page, '/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page, testInfo, 'login');

  await page.getByLabel('Email').fill(e2e.adminEmail);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main navigation' })).toHaveCount(0);

  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expectAccessible(page, testInfo, 'overview');

  // A reload keeps the session (sessionStorage), as a facility manager pressing F5 expects.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});

test('an ended session goes back to the sign-in screen and says why', async ({ page }) => {
  await signIn(page);
  const saved = await page.evaluate(() => sessionStorage.getItem('lynx.session'));
  const uiToken = (JSON.parse(saved ?? '{}') as { token?: string }).token;
  expect(uiToken, 'the UI keeps its token in sessionStorage under lynx.session').toBeTruthy();
  // Revoked from elsewhere, as an administrator ending a session would.
  const current = (await trpc<{ id: number; current: boolean }[]>(uiToken!, 'query', 'tokens.list')).find((t) => t.current)!;
  await trpc(await restLogin(), 'mutation', 'tokens.revoke', { id: current.id });

  // The next request the UI makes finds out: a navigation, or the overview's own refresh if that
  // comes first (then the navigation link is already gone, and that is the behaviour wanted too).
  const expired = page.getByText(/session expired/i);
  await Promise.race([navigate(page, 'Installations').catch(() => undefined), expired.waitFor()]);
  await expect(expired).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
