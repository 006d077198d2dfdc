// An API token: created in the UI and shown once, used from outside over REST, revoked, refused.
import { expect, test } from '@playwright/test';
import { rest } from '../support/api.js';
import { expectAccessible, navigate, signIn } from '../support/ui.js';

test('create a token, use it over REST, revoke it and see it refused', async ({ page }, testInfo) => {
  await signIn(page);
  await navigate(page, 'API tokens');
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await expectAccessible(page, testInfo, 'tokens');

  const name = `e2e script ${Date.now().toString(36)}`;
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByRole('dialog').getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('dialog', { name: 'Token created' }).getByLabel('New token');
  await expect(shown).not.toHaveValue('');
  const secret = await shown.inputValue();

  expect((await rest(secret, 'GET', '/api/v2/installationinfo')).status).toBe(200);

  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toBeVisible();
  // Shown once: the list never holds the secret.
  await expect(page.getByText(secret)).toHaveCount(0);
  await row.getByRole('button', { name: /^Revoke/ }).click();
  // The confirmation names the token; its button is the dialog's only red one.
  await page.getByRole('dialog').getByRole('button', { name: /^(Revoke|Confirm)$/ }).click();
  await expect(row).toHaveCount(0);

  const refused = await rest(secret, 'GET', '/api/v2/installationinfo');
  expect(refused.status).toBe(401);
  expect(refused.body.message).toBeTruthy();
});
