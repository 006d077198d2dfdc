// The UI's edge-app procedures through createCallerFactory on a real store: catalogue, versions
// uploaded as text or base64, publishing, and instances.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import type { Principal } from '../../aam/principal.js';
import { createEdgeApps } from '../../processors/edge-apps/create-edge-apps.js';
import type { AppServices } from '../../services.js';
import { appRouter } from './router.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);
let f: AamFixture;
let services: AppServices;
beforeEach(async () => {
  f = await createAamFixture();
  const edge = createEdgeApps({ db: f.db, policy: f.policy, organizations: f.organizations, changes: { changed: () => {} }, audit: f.trace });
  services = { edgeApps: edge.catalogue, edgeAppInstances: edge.instances, policy: f.policy } as unknown as AppServices;
});
afterEach(async () => {
  await f.close();
});
const caller = (p: Principal | null) => createCaller({ services, principal: p });

describe('edgeApps procedures', () => {
  it('creates an app, uploads the same version as text and as base64 (one hash), publishes and configures it', async () => {
    const admin = caller(f.admin);
    const app = await admin.edgeApps.create({ name: 'UI app', tags: ['t'], publisher: { id: f.orgs.root } });
    expect(await admin.edgeApps.get({ id: app.id })).toEqual(app);
    expect((await admin.edgeApps.list()).map((a) => a.id)).toEqual([app.id]);
    const lua = 'function onStart() end\n';
    const json = '{"input":{}}';
    const asText = await admin.edgeApps.uploadVersion({ id: app.id, lua: { text: lua }, json: { text: json } });
    const asBase64 = await admin.edgeApps.uploadVersion({ id: app.id, lua: { base64: Buffer.from(lua).toString('base64') }, json: { base64: Buffer.from(json).toString('base64') } });
    expect(asBase64.hash).toBe(asText.hash);
    await expect(admin.edgeApps.uploadVersion({ id: app.id, lua: { text: lua }, json: { text: 'nope' } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('app_json') });
    expect(await admin.edgeApps.publish({ id: app.id, name: 'v1', hash: asText.hash })).toMatchObject({ name: 'v1' });
    expect(await admin.edgeApps.versions({ id: app.id })).toHaveLength(1);
    const updated = await admin.edgeApps.update({ id: app.id, data: { public: true } });
    expect(updated.public).toBe(true);

    const inst = await f.installations.create(f.admin, { name: 'Site' });
    const created = await admin.edgeApps.instances.create({ installationId: inst.id, data: { app_id: app.id, version: 'v1', config: { a: 1 }, name: 'n' } });
    expect(await admin.edgeApps.instances.list({ installationId: inst.id })).toEqual([created]);
    expect((await admin.edgeApps.instances.update({ installationId: inst.id, id: created.id, data: { name: 'm' } })).name).toBe('m');
    expect(await admin.edgeApps.instances.get({ installationId: inst.id, id: created.id })).toMatchObject({ name: 'm' });
    await admin.edgeApps.instances.delete({ installationId: inst.id, id: created.id });
    expect(await admin.edgeApps.instances.list({ installationId: inst.id })).toEqual([]);
  });

  it('maps refusals to tRPC codes', async () => {
    await expect(caller(null).edgeApps.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(caller(f.user).edgeApps.create({ name: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(f.admin).edgeApps.get({ id: 12345 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
