// The catalogue and instance services on a real store (SQLite, or PostgreSQL under LYNX_TEST_DB).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { edgeAppInstanceSchema, edgeAppSchema, edgeAppVersionSchema, viewerPermissions } from '@lynx/shared';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../aam/errors.js';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import type { ChangePublisher } from '../../aam/events.js';
import type { Principal } from '../../aam/principal.js';
import { createEdgeApps } from './create-edge-apps.js';
import { versionHash } from './catalogue/service.js';

let f: AamFixture;
let edge: ReturnType<typeof createEdgeApps>;
let restarts: [number, number][];
beforeEach(async () => {
  f = await createAamFixture();
  restarts = [];
  const changes: ChangePublisher = { changed: (clientId, kind) => void f.changes.push({ clientId, kind }) };
  edge = createEdgeApps({
    db: f.db,
    policy: f.policy,
    organizations: f.organizations,
    changes,
    audit: f.trace,
    now: () => f.clock.now,
    runtime: () => ({ instanceChanged: (installationId, instanceId) => restarts.push([installationId, instanceId]) }),
  });
});
afterEach(async () => {
  await f.close();
});

const lua = 'function onStart()\n  log.info("hi")\nend\n';
const appJson = JSON.stringify({ author: 'me', license: 'MIT', input: { functions: { type: 'multi_function_selector', name: 'F', required: true }, level: { type: 'number', required: true, default: 3 } }, guide: [] });

async function appWithVersion(p: Principal = f.admin, body: Record<string, unknown> = {}) {
  const app = await edge.catalogue.create(p, { name: 'Alarm', category: 'alarm', tags: ['a'], publisher: { id: p.organizationIds[0] }, ...body });
  const version = await edge.catalogue.uploadVersion(p, app.id, { lua, json: appJson });
  return { app, version };
}

describe('catalogue', () => {
  it('creates an entry with the Lynx shape; publisher is the organization', async () => {
    const app = await edge.catalogue.create(f.admin, { name: 'Alarm', category: 'c', tags: ['x', 'y'], short_description: 's', description: '# d', publisher: { id: f.orgs.child }, public: false, source_url: 'https://example.com' });
    edgeAppSchema.strict().parse(app);
    expect(app).toMatchObject({ name: 'Alarm', tags: ['x', 'y'], publisher: { id: f.orgs.child, name: 'child' }, official: false, public: false, created: 1_700_000_000 });
    expect(await edge.catalogue.get(f.admin, app.id)).toEqual(app);
  });

  it('shows a hidden app only within the publisher subtree and above it; public apps to everyone', async () => {
    const { app } = await appWithVersion(f.childAdmin);
    const sibling: Principal = { ...f.childAdmin, userId: 999, organizationIds: [f.orgs.sibling] };
    expect((await edge.catalogue.list(f.admin)).map((a) => a.id)).toContain(app.id);
    expect((await edge.catalogue.list(f.childAdmin)).map((a) => a.id)).toContain(app.id);
    expect((await edge.catalogue.list(sibling)).map((a) => a.id)).not.toContain(app.id);
    await expect(edge.catalogue.get(sibling, app.id)).rejects.toBeInstanceOf(NotFoundError);
    await edge.catalogue.update(f.childAdmin, app.id, { public: true });
    expect((await edge.catalogue.list(sibling)).map((a) => a.id)).toContain(app.id);
    // Hiding again: public=false is the only way to take an app away.
    await edge.catalogue.update(f.childAdmin, app.id, { public: false });
    await expect(edge.catalogue.get(sibling, app.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses publishing for an organization outside the caller subtree and callers without edge/app/create', async () => {
    await expect(edge.catalogue.create(f.childAdmin, { name: 'x', publisher: { id: f.orgs.sibling } })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(edge.catalogue.create(f.user, { name: 'x' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(edge.catalogue.create(f.admin, { name: '' })).rejects.toThrow(/name/);
  });

  it('lists per organization and publisher; available=true adds apps the organization may use', async () => {
    const { app: rootApp } = await appWithVersion(f.admin);
    const { app: childApp } = await appWithVersion(f.childAdmin);
    expect((await edge.catalogue.listForOrganization(f.admin, f.orgs.child, false)).map((a) => a.id)).toEqual([childApp.id]);
    expect((await edge.catalogue.listForOrganization(f.admin, f.orgs.child, true)).map((a) => a.id)).toEqual([rootApp.id, childApp.id]);
    expect((await edge.catalogue.listForOrganization(f.admin, f.orgs.sibling, true)).map((a) => a.id)).toEqual([rootApp.id]);
    const publisher = await edge.catalogue.publisher(f.admin, f.orgs.child);
    expect(publisher).toMatchObject({ id: f.orgs.child, name: 'child', apps: [{ id: childApp.id }] });
    await expect(edge.catalogue.listForOrganization(f.childAdmin, f.orgs.sibling, false)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('versions', () => {
  it('hashes both parts; the same upload answers the same hash and stores one version', async () => {
    const { app, version } = await appWithVersion();
    edgeAppVersionSchema.strict().parse(version);
    expect(version).toEqual({ name: '', hash: versionHash({ lua, json: appJson }), timestamp: 1_700_000_000 });
    f.clock.now += 10;
    expect(await edge.catalogue.uploadVersion(f.admin, app.id, { lua, json: appJson })).toEqual(version);
    expect(await edge.catalogue.listVersions(f.admin, app.id, true)).toEqual([version]);
    expect(await edge.catalogue.listVersions(f.admin, app.id, false)).toEqual([]);
    const other = await edge.catalogue.uploadVersion(f.admin, app.id, { lua: lua + '-- 2\n', json: appJson });
    expect(other.hash).not.toBe(version.hash);
  });

  it('refuses an app.json that is not JSON, naming the part, and missing parts', async () => {
    const { app } = await appWithVersion();
    await expect(edge.catalogue.uploadVersion(f.admin, app.id, { lua, json: '{nope' })).rejects.toThrow(/app_json is not valid JSON/);
    await expect(edge.catalogue.uploadVersion(f.admin, app.id, { lua, json: '[1]' })).rejects.toThrow(/app_json must be a JSON object/);
    await expect(edge.catalogue.uploadVersion(f.admin, app.id, { json: appJson })).rejects.toThrow(/app_lua/);
  });

  it('publishes a hash under a release name; download and configure find it by name or hash', async () => {
    const { app, version } = await appWithVersion();
    const named = await edge.catalogue.publish(f.admin, app.id, { name: '1.0.0', hash: version.hash });
    expect(named).toEqual({ ...version, name: '1.0.0' });
    expect(await edge.catalogue.listVersions(f.admin, app.id, false)).toEqual([named]);
    expect(await edge.catalogue.download(f.admin, app.id, '1.0.0')).toBe(lua);
    expect(await edge.catalogue.download(f.admin, app.id, version.hash)).toBe(lua);
    expect(await edge.catalogue.configure(f.admin, app.id, '1.0.0')).toEqual(JSON.parse(appJson));
    await expect(edge.catalogue.download(f.admin, app.id, '9.9')).rejects.toBeInstanceOf(NotFoundError);
    await expect(edge.catalogue.publish(f.admin, app.id, { name: '1.0.1', hash: 'f'.repeat(64) })).rejects.toBeInstanceOf(NotFoundError);
    const other = await edge.catalogue.uploadVersion(f.admin, app.id, { lua: '-- other', json: '{}' });
    await expect(edge.catalogue.publish(f.admin, app.id, { name: '1.0.0', hash: other.hash })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('instances', () => {
  async function setup() {
    const { app, version } = await appWithVersion();
    await edge.catalogue.publish(f.admin, app.id, { name: '1.0.0', hash: version.hash });
    const inst = await f.installations.create(f.admin, { name: 'Site', users: [f.user.userId] });
    f.changes.length = 0;
    return { app, version, inst };
  }

  it('creates, reads, updates and deletes instances; each change publishes edge_app and restarts the instance', async () => {
    const { app, inst } = await setup();
    const created = await edge.instances.create(f.admin, inst.id, { app_id: app.id, installation_id: inst.id, version: '1.0.0', config: { functions: [7] }, name: 'x' });
    edgeAppInstanceSchema.strict().parse(created);
    expect(created).toMatchObject({ app_id: app.id, installation_id: inst.id, version: '1.0.0', config: { functions: [7] }, name: 'x' });
    expect(await edge.instances.list(f.user, inst.id)).toEqual([created]);
    f.clock.now += 5;
    const updated = await edge.instances.update(f.admin, inst.id, created.id, { config: { functions: [8] } });
    expect(updated).toMatchObject({ version: '1.0.0', name: 'x', config: { functions: [8] }, updated: created.updated + 5 });
    expect(await edge.instances.getInstance(created.id)).toEqual(updated);
    expect(await edge.instances.listInstances()).toEqual([updated]);
    expect(await edge.instances.getVersionSource(app.id, '1.0.0')).toEqual({ lua, json: appJson });
    await edge.instances.delete(f.admin, inst.id, created.id);
    await expect(edge.instances.get(f.admin, inst.id, created.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(f.changes).toEqual([1, 2, 3].map(() => ({ clientId: inst.client_id, kind: 'edge_app' })));
    expect(restarts).toEqual([1, 2, 3].map(() => [inst.id, created.id]));
  });

  it('validates the version, the config object and the required inputs of app.json', async () => {
    const { app, inst } = await setup();
    await expect(edge.instances.create(f.admin, inst.id, { app_id: app.id, version: '2.0', config: { functions: [1] } })).rejects.toThrow(/invalid version/);
    await expect(edge.instances.create(f.admin, inst.id, { app_id: app.id, version: '1.0.0', config: [1] })).rejects.toBeInstanceOf(BadRequestError);
    await expect(edge.instances.create(f.admin, inst.id, { app_id: app.id, version: '1.0.0', config: {} })).rejects.toThrow(/config\.functions/);
    await expect(edge.instances.create(f.admin, inst.id, { app_id: 999_999, version: '1.0.0', config: {} })).rejects.toThrow(/app_id/);
    await expect(edge.instances.create(f.admin, inst.id + 1000, { app_id: app.id, version: '1.0.0', config: {} })).rejects.toBeInstanceOf(NotFoundError);
    expect(f.changes).toEqual([]);
  });

  it('keeps viewers to reading and other tenants out', async () => {
    const { app, inst } = await setup();
    const viewer: Principal = { ...f.user, permissions: new Set(viewerPermissions) };
    await expect(edge.instances.create(viewer, inst.id, { app_id: app.id, version: '1.0.0', config: { functions: [1] } })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await edge.instances.list(viewer, inst.id)).toEqual([]);
    const sibling: Principal = { ...f.childAdmin, userId: 999, organizationIds: [f.orgs.sibling] };
    await expect(edge.instances.list(sibling, inst.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
