import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayInformationSchema } from '@lynx/shared';
import type { AuditRecord } from '../audit.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';
import { GatewayCredentialsService } from './gateway-credentials.js';
import { MqttAccess } from './mqtt-access.js';
import { hashToken } from './secrets.js';

let f: AdminFixture;
let gateways: GatewayCredentialsService;
let mqtt: MqttAccess;
let audited: AuditRecord[];
const origin = { protocol: 'http', host: 'lynx.example:8080' };

beforeEach(async () => {
  f = await createAdminFixture();
  audited = [];
  gateways = new GatewayCredentialsService({
    db: f.db,
    index: f.index,
    policy: f.policy,
    hub: f.hub,
    audit: { record: async (entry) => void audited.push(entry) },
    mqttPort: () => 18_830,
    now: () => f.clock.now,
  });
  mqtt = new MqttAccess(f.auth, f.policy, f.index, f.hub, gateways);
});
afterEach(async () => {
  await f.close();
});

async function gatewayPrincipal(username: string, password: string): Promise<Principal> {
  const auth = await gateways.authenticate(username, password, 'rest');
  if (!auth) throw new Error('gateway credentials refused');
  return auth.principal;
}

describe('GatewayCredentialsService issue and reset', () => {
  it('issues GatewayInformation once, storing only a hash of the password', async () => {
    const inst = await f.installations.create(f.admin, { name: 'site', timezone: 'Europe/Berlin' });
    const info = await gateways.issue(f.admin, inst.id, origin);
    gatewayInformationSchema.strict().parse(info);
    expect(info).toEqual({
      client_id: inst.client_id,
      installation_id: inst.id,
      api: 'http://lynx.example:8080',
      aam: 'http://lynx.example:8080',
      mqtt_broker: 'lynx.example:18830',
      mqtt_username: expect.stringMatching(new RegExp(`^gw-${inst.client_id}-[0-9a-f]{8}$`)),
      mqtt_password: expect.stringMatching(/^[0-9a-f]{64}$/),
      mqtt_client_id: `edge-${inst.client_id}`,
      timezone: 'Europe/Berlin',
    });
    const row = await f.db.gatewayCredential.findUniqueOrThrow({ where: { installationId: inst.id } });
    expect(row).toEqual({ installationId: inst.id, username: info.mqtt_username, passwordHash: hashToken(info.mqtt_password), created: f.clock.now });
    expect(audited).toEqual([expect.objectContaining({ action: 'create', objectType: 'gateway', objectId: inst.id, installationId: inst.id })]);
    expect(audited[0].description).not.toContain(info.mqtt_password);
  });

  it('regenerating replaces the credential and revokes the previous one at once', async () => {
    const inst = await f.installations.create(f.admin, { name: 'site' });
    const first = await gateways.issue(f.admin, inst.id, origin);
    f.events.length = 0;
    const second = await gateways.issue(f.admin, inst.id, origin);
    expect(second.mqtt_username).not.toBe(first.mqtt_username);
    expect(second.mqtt_password).not.toBe(first.mqtt_password);
    expect(f.events).toEqual([{ type: 'gateway-revoked', installationId: inst.id, username: first.mqtt_username }]);
    expect(await gateways.authenticate(first.mqtt_username, first.mqtt_password, 'rest')).toBeNull();
    expect(await gateways.authenticate(second.mqtt_username, second.mqtt_password, 'rest')).not.toBeNull();
    expect(await f.db.gatewayCredential.count()).toBe(1);
  });

  it('reset revokes without issuing, and says so when there was nothing to reset', async () => {
    const inst = await f.installations.create(f.admin, { name: 'site' });
    expect(await gateways.reset(f.admin, inst.id)).toEqual({ message: `installation ${inst.id} has no gateway credentials` });
    const info = await gateways.issue(f.admin, inst.id, origin);
    f.events.length = 0;
    audited.length = 0;
    expect(await gateways.reset(f.admin, inst.id)).toEqual({ message: `gateway credentials of installation ${inst.id} reset` });
    expect(f.events).toEqual([{ type: 'gateway-revoked', installationId: inst.id, username: info.mqtt_username }]);
    expect(audited).toEqual([expect.objectContaining({ action: 'delete', objectType: 'gateway', objectId: inst.id })]);
    expect(await gateways.authenticate(info.mqtt_username, info.mqtt_password, 'mqtt')).toBeNull();
    expect(await f.db.gatewayCredential.count()).toBe(0);
  });

  it('needs gateway/reset/password on the installation: 404 where it is invisible, 403 where it is only visible', async () => {
    const root = await f.installations.create(f.admin, { name: 'root site', users: [f.user.userId] });
    const child = await f.installations.create(f.admin, { name: 'child site', organization_id: f.orgs.child });
    const siblingViewer = await f.member('viewer@example.com', 'viewer', f.orgs.sibling);
    await expect(gateways.issue(siblingViewer.principal, root.id, origin)).rejects.toThrow(NotFoundError);
    await expect(gateways.reset(siblingViewer.principal, root.id)).rejects.toThrow(NotFoundError);
    // The "user" role lists its assigned installation but holds no gateway keys.
    await expect(gateways.issue(f.user, root.id, origin)).rejects.toThrow(ForbiddenError);
    await expect(gateways.reset(f.user, root.id)).rejects.toThrow(ForbiddenError);
    await expect(gateways.issue(f.childAdmin, root.id, origin)).rejects.toThrow(NotFoundError);
    expect((await gateways.issue(f.childAdmin, child.id, origin)).installation_id).toBe(child.id);
    await expect(gateways.issue(f.admin, 987_654, origin)).rejects.toThrow(NotFoundError);
    expect(await f.db.gatewayCredential.count()).toBe(1);
  });

  it('refuses to hand out addresses it cannot tell from the Host header', async () => {
    const inst = await f.installations.create(f.admin, { name: 'site' });
    for (const host of [undefined, '', 'evil.example/path', 'user@evil.example', 'a b', 'host:99999']) {
      await expect(gateways.issue(f.admin, inst.id, { protocol: 'http', host }), String(host)).rejects.toThrow(BadRequestError);
    }
    expect(await f.db.gatewayCredential.count()).toBe(0);
    const v6 = await gateways.issue(f.admin, inst.id, { protocol: 'https', host: '[::1]:8443' });
    expect([v6.api, v6.mqtt_broker]).toEqual(['https://[::1]:8443', '[::1]:18830']);
  });

  it('goes with its installation (cascade)', async () => {
    const inst = await f.installations.create(f.admin, { name: 'site' });
    const info = await gateways.issue(f.admin, inst.id, origin);
    await f.installations.delete(f.admin, inst.id);
    expect(await f.db.gatewayCredential.count()).toBe(0);
    expect(await gateways.authenticate(info.mqtt_username, info.mqtt_password, 'mqtt')).toBeNull();
    expect(await gateways.byUsername(info.mqtt_username)).toBeNull();
  });
});

describe('gateway principals', () => {
  it('authenticate as user 0 bound to their installation, and audit wrong passwords', async () => {
    const inst = await f.installations.create(f.admin, { name: 'site' });
    const info = await gateways.issue(f.admin, inst.id, origin);
    audited.length = 0;
    const auth = await gateways.authenticate(info.mqtt_username, info.mqtt_password, 'mqtt');
    expect(auth).toEqual({ installationId: inst.id, username: info.mqtt_username, principal: expect.objectContaining({ userId: 0, tokenId: 0, organizationIds: [] }) });
    expect([...auth!.principal.installationIds!]).toEqual([inst.id]);
    expect(await gateways.authenticate(info.mqtt_username, info.mqtt_password.replace(/.$/, (c) => (c === '0' ? '1' : '0')), 'rest')).toBeNull();
    expect(await gateways.authenticate('gw-1-00000000', info.mqtt_password, 'rest')).toBeNull();
    expect(await gateways.authenticate(f.admin.email, info.mqtt_password, 'rest')).toBeNull();
    expect(audited.map((a) => [a.action, a.objectId, a.userId])).toEqual([
      ['auth', inst.id, 0],
      ['failed', inst.id, 0],
    ]);
  });

  it('reach their own installation only, and only what gatewayPermissions allow there', async () => {
    const own = await f.installations.create(f.admin, { name: 'own' });
    const other = await f.installations.create(f.admin, { name: 'other' });
    const info = await gateways.issue(f.admin, own.id, origin);
    const gw = await gatewayPrincipal(info.mqtt_username, info.mqtt_password);

    expect(f.policy.reach(gw, 'functionx/list')).toEqual({ kind: 'some', ids: new Set([own.id]) });
    expect(f.policy.reach(gw, 'installation/update')).toEqual({ kind: 'some', ids: new Set() });
    expect((await f.installations.listInfo(gw)).map((i) => i.id)).toEqual([own.id]);
    expect((await f.installations.get(gw, own.id)).id).toBe(own.id);
    await expect(f.installations.get(gw, other.id)).rejects.toThrow(NotFoundError);
    await expect(f.installations.update(gw, own.id, { name: 'renamed' })).rejects.toThrow(ForbiddenError);
    await expect(f.installations.delete(gw, own.id)).rejects.toThrow(ForbiddenError);
    await expect(f.installations.create(gw, { name: 'new' })).rejects.toThrow(ForbiddenError);

    const fn = await f.functions.create(gw, own.id, { type: 'temperature', meta: { topic_read: 'obj/t' } });
    await f.devices.create(gw, own.id, { type: 'sensor', meta: {} });
    expect((await f.functions.list(gw, own.id)).map((x) => x.id)).toEqual([fn.id]);
    await expect(f.functions.list(gw, other.id)).rejects.toThrow(NotFoundError);
    await expect(f.functions.create(gw, other.id, { type: 'x', meta: {} })).rejects.toThrow(NotFoundError);
    // Protected meta stays hidden from gateways.
    await expect(f.functions.create(gw, own.id, { type: 'x', meta: {}, protected_meta: { secret: 's' } })).rejects.toThrow(ForbiddenError);

    // Nothing about users, tokens, organizations, roles or gateways.
    await expect(f.usersService.me(gw)).rejects.toThrow(/belongs to a gateway/);
    await expect(f.usersService.get(gw, 'me')).rejects.toThrow(ForbiddenError);
    await expect(f.usersService.list(gw)).rejects.toThrow(ForbiddenError);
    await expect(f.tokens.list(gw, 'me')).rejects.toThrow(ForbiddenError);
    await expect(f.tokens.create(gw, 'me', { name: 'x' })).rejects.toThrow(ForbiddenError);
    await expect(f.passwords.changeOwn(gw, { current_password: 'x', new_password: 'long-enough-1' })).rejects.toThrow(ForbiddenError);
    await expect(f.orgService.list(gw)).rejects.toThrow(ForbiddenError);
    await expect(f.roleService.list(gw)).rejects.toThrow(ForbiddenError);
    await expect(f.roleService.create(gw, { name: 'r', priority: 1, permissions: {} })).rejects.toThrow(ForbiddenError);
    await expect(gateways.issue(gw, own.id, origin)).rejects.toThrow(ForbiddenError);
    await expect(gateways.reset(gw, own.id)).rejects.toThrow(ForbiddenError);
  });

  it('get MQTT scopes of their own client id only, with no broad filters, until revoked', async () => {
    const own = await f.installations.create(f.admin, { name: 'own' });
    await f.installations.create(f.admin, { name: 'other' });
    const info = await gateways.issue(f.admin, own.id, origin);
    const principal = await mqtt.authenticateMqtt(info.mqtt_username, info.mqtt_password);
    expect(principal).toEqual({
      userId: 0,
      tokenId: 0,
      email: '',
      publish: { kind: 'some', clientIds: new Set([own.client_id]) },
      subscribe: { kind: 'some', clientIds: new Set([own.client_id]) },
      broad: false,
      gateway: { installationId: own.id, username: info.mqtt_username },
    });
    expect(await mqtt.refreshPrincipal(principal!)).toEqual(principal);
    // The password is no token, and the username matters for gateways.
    expect(await mqtt.authenticateMqtt('apikey', info.mqtt_password)).toBeNull();
    // Tokens still come first.
    const admin = await f.login(f.admin.userId, 'api');
    expect((await mqtt.authenticateMqtt(info.mqtt_username, admin.secret))?.tokenId).toBe(admin.tokenId);

    await gateways.issue(f.admin, own.id, origin);
    expect(await mqtt.refreshPrincipal(principal!)).toBeNull();
    expect(await mqtt.authenticateMqtt(info.mqtt_username, info.mqtt_password)).toBeNull();
  });
});
