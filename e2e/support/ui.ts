// Browser steps every flow shares: signing in, an accessibility scan and a kept screenshot.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { e2e } from './env.js';

const screenshots = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

export async function open(page: Page, path = '/'): Promise<void> {
  await page.goto(`${e2e.url}${path}`);
}

export async function signIn(page: Page, email = e2e.adminEmail, password = e2e.adminPassword): Promise<void> {
  await open(page, '/');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
}

/** Goes to a screen through the main navigation, as a user does. */
export async function navigate(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: link, exact: true }).click();
}

/** No serious or critical axe violation (WCAG 2.x A and AA rules) on what the page shows now; also keeps a screenshot. */
export async function expectAccessible(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  await keepScreenshot(page, screen);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  await testInfo.attach(`axe-${screen}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
  // Soft: the flow goes on, so one run reports every screen's problems and every other failure.
  expect.soft(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`),
    `axe on ${screen}`,
  ).toEqual([]);
}

/** Kept under e2e/artifacts/screenshots/ (gitignored) for people to look at, pass or fail. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: `${screenshots}${name}.png`, fullPage: true });
}
