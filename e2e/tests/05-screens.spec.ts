// Every main screen: reachable from the navigation, free of serious accessibility problems, and
// kept as a screenshot. One sign-in, one step per screen (a finding on one screen is soft, so every
// screen is checked in one run).
import { expect, test } from '@playwright/test';
import { expectAccessible, navigate, signIn } from '../support/ui.js';

const screens = [
  { link: 'Overview', heading: 'Overview', file: 'overview' },
  { link: 'Installations', heading: 'Installations', file: 'installations' },
  { link: 'Organizations', heading: 'Organizations', file: 'organizations' },
  { link: 'Users', heading: 'Users', file: 'users' },
  { link: 'Roles', heading: 'Roles', file: 'roles' },
  { link: 'Edge apps', heading: 'Edge apps', file: 'edge-apps' },
  { link: 'API tokens', heading: 'API tokens', file: 'tokens' },
  { link: 'System', heading: 'System', file: 'system' },
];

test('main screens', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signIn(page);
  for (const s of screens) {
    await test.step(s.link, async () => {
      await navigate(page, s.link);
      await expect(page.getByRole('heading', { name: s.heading, exact: true })).toBeVisible();
      // The screen's data rather than its loading state.
      await expect(page.getByText(/^Loading/)).toHaveCount(0);
      await expectAccessible(page, testInfo, `screen-${s.file}`);
    });
  }
});
