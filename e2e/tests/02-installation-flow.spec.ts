// The facility manager's main flow: an installation with a device and a function, values
// published over MQTT showing live without a reload, and the history chart drawing them.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { publishValues, rest, restLogin } from '../support/api.js';
import { expectAccessible, navigate, signIn } from '../support/ui.js';

// One test in steps: each step needs the one before, and a soft accessibility finding in one
// step must not keep the later ones from running.
let page: Page;
let installationId: number;
const name = `Plant ${Date.now().toString(36)}`;

function dialog() {
  return page.getByRole('dialog');
}

test('installation, device, function, live values, history and MQTT inspector', async ({ page: p }, testInfo) => {
  test.setTimeout(120_000);
  page = p;
  await signIn(page);
  for (const [title, step] of steps) await test.step(title, () => step(testInfo));
});

const steps: [string, (testInfo: TestInfo) => Promise<void>][] = [];
function flowStep(title: string, run: (testInfo: TestInfo) => Promise<void>) {
  steps.push([title, run]);
}

flowStep('bad form input shows the server’s message', async () => {
  await navigate(page, 'Installations');
  await page.getByRole('button', { name: 'Create installation' }).click();
  // The name stays empty: the server answers why, and the dialog shows its words.
  await dialog().getByRole('button', { name: 'Create installation' }).click();
  await expect(dialog().getByRole('alert')).toContainText('invalid name: must not be empty');
  await dialog().getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog()).toHaveCount(0);
});

flowStep('create an installation', async (testInfo) => {
  await page.getByRole('button', { name: 'Create installation' }).click();
  await dialog().getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await dialog().getByRole('button', { name: 'Create installation' }).click();
  await expect(page).toHaveURL(/\/installations\/\d+\/devices$/);
  installationId = Number(/\/installations\/(\d+)\//.exec(page.url())![1]);
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expectAccessible(page, testInfo, 'installation-devices-empty');

  await navigate(page, 'Installations');
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expectAccessible(page, testInfo, 'installations');
  await page.getByRole('link', { name }).click();
});

flowStep('create a device', async (testInfo) => {
  await page.getByRole('tab', { name: 'Devices' }).click();
  await page.getByRole('button', { name: 'Create device' }).click();
  await dialog().getByRole('textbox', { name: 'Name', exact: true }).fill('Boiler room sensor');
  await dialog().getByRole('combobox', { name: 'Type' }).fill('sensor');
  await dialog().getByRole('combobox', { name: 'Type' }).press('Tab');
  await dialog().getByRole('button', { name: 'Create device' }).click();
  await expect(dialog()).toHaveCount(0);
  await expect(page.getByRole('cell', { name: 'Boiler room sensor', exact: true })).toBeVisible();
  await expectAccessible(page, testInfo, 'installation-devices');
});

flowStep('create a function with a read topic', async (testInfo) => {
  await page.getByRole('tab', { name: 'Functions' }).click();
  await page.getByRole('button', { name: 'Create function' }).click();
  await dialog().getByRole('textbox', { name: 'Name', exact: true }).fill('Supply temperature');
  await dialog().getByRole('combobox', { name: 'Type' }).fill('temperature');
  await dialog().getByRole('combobox', { name: 'Type' }).press('Tab');
  await dialog().getByLabel('Read topic').fill('obj/boiler/supply');
  await dialog().getByLabel('Unit').fill('°C');
  await dialog().getByRole('button', { name: 'Create function' }).click();
  await expect(dialog()).toHaveCount(0);
  await expect(page.getByRole('cell', { name: 'Supply temperature', exact: true })).toBeVisible();
  await expectAccessible(page, testInfo, 'installation-functions');
});

flowStep('values published over MQTT show live, without a reload', async (testInfo) => {
  const token = await restLogin();
  const inst = (await rest(token, 'GET', `/api/v2/installation/${installationId}`)).body as { client_id: number };
  const topic = `${inst.client_id}/obj/boiler/supply`;
  const now = Math.floor(Date.now() / 1000);

  await page.getByRole('tab', { name: 'Live values' }).click();
  const row = page.getByRole('row').filter({ hasText: 'Supply temperature' });
  await expect(row).toBeVisible();
  await publishValues(token, topic, [{ value: 61.5, timestamp: now - 120 }]);
  await expect(row).toContainText('61.5');
  const loads = [] as string[];
  page.on('load', () => loads.push(page.url()));
  await publishValues(token, topic, [
    { value: 62.25, timestamp: now - 60 },
    { value: 63.75, timestamp: now - 1 },
  ]);
  await expect(row).toContainText('63.75');
  expect(loads, 'the page did not reload').toEqual([]);
  await expectAccessible(page, testInfo, 'installation-live');
});

flowStep('the history chart shows the published values', async (testInfo) => {
  await page.getByRole('tab', { name: 'History' }).click();
  const section = page.getByRole('region', { name: 'History of Supply temperature' });
  await expect(section).toBeVisible();
  // The chart names its point count; three values were published within the last hour.
  await expect(section.getByLabel(/^Chart of Supply temperature, [3-9]\d* points?$/)).toBeVisible();
  await expectAccessible(page, testInfo, 'installation-history');
});

flowStep('the MQTT inspector publishes and tails', async (testInfo) => {
  await page.getByRole('tab', { name: 'MQTT inspector' }).click();
  const publish = page.getByRole('region', { name: 'Publish a message' });
  await publish.getByRole('combobox', { name: 'Topic', exact: true }).fill('obj/boiler/setpoint');
  await publish.getByRole('combobox', { name: 'Topic', exact: true }).press('Tab');
  await publish.getByRole('textbox', { name: 'Payload', exact: true }).fill('{"value": 55}');
  await publish.getByRole('button', { name: 'Publish' }).click();
  // The tail shows what was just published, through the broker and back.
  const log = page.getByRole('log', { name: 'MQTT messages' });
  await expect(log.getByText('obj/boiler/setpoint').first()).toBeVisible();
  await expect(log.getByText('{"value": 55}').first()).toBeVisible();
  await expectAccessible(page, testInfo, 'installation-mqtt');
});
