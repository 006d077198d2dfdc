// retention.get / retention.set through createCallerFactory over a real store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Installation } from '@lynx/shared';
import type { Principal } from '../../aam/principal.js';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import { RetentionSettingsService } from '../../processors/retention/retention-settings.js';
import type { AppServices } from '../../services.js';
import { appRouter } from './router.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);
let f: AamFixture;
let retention: RetentionSettingsService;
let inst: Installation;
const defaults = { rawDays: 365, rollupDays: 0 };

beforeEach(async () => {
  f = await createAamFixture();
  retention = new RetentionSettingsService({ db: f.db, policy: f.policy, defaults });
  inst = await f.installations.create(f.admin, { name: 'Home', users: [f.user.userId] });
});
afterEach(async () => {
  await f.close();
});

const caller = (principal: Principal | null) => createCaller({ services: { retention } as unknown as AppServices, principal });

describe('retention procedures', () => {
  it('reads the defaults, sets an override, and removes it again', async () => {
    const admin = caller(f.admin);
    expect(await admin.retention.get({ installationId: inst.id })).toEqual({ installationId: inst.id, effective: defaults, override: null, defaults });
    const set = await admin.retention.set({ installationId: inst.id, period: { rawDays: 30, rollupDays: 730 } });
    expect(set.effective).toEqual({ rawDays: 30, rollupDays: 730 });
    expect(await admin.retention.get({ installationId: inst.id })).toEqual(set);
    // What the sweep reads.
    expect(await retention.overrides()).toEqual(new Map([[inst.id, { rawDays: 30, rollupDays: 730 }]]));
    expect((await admin.retention.set({ installationId: inst.id, period: null })).effective).toEqual(defaults);
    expect(await retention.overrides()).toEqual(new Map());
  });

  it('needs the installation update right; bad periods are BAD_REQUEST', async () => {
    await expect(caller(null).retention.get({ installationId: inst.id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    // The user is assigned to the installation (can list it) but may not update it.
    await expect(caller(f.user).retention.get({ installationId: inst.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(f.user).retention.set({ installationId: inst.id, period: { rawDays: 1, rollupDays: 1 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(f.childAdmin).retention.get({ installationId: inst.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const editor: Principal = { ...f.user, permissions: new Set([...f.user.permissions, 'installation/update/assigned']) };
    expect((await caller(editor).retention.set({ installationId: inst.id, period: { rawDays: 7, rollupDays: 0 } })).override).toEqual({ rawDays: 7, rollupDays: 0 });
    for (const period of [{ rawDays: -1, rollupDays: 0 }, { rawDays: 1.5, rollupDays: 0 }, { rawDays: 1, rollupDays: 100_000 }]) {
      await expect(caller(f.admin).retention.set({ installationId: inst.id, period })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
  });
});
