// Organizations, users, roles and passwords over the real REST API, and what they do to MQTT
// clients: an organization's admin manages only its subtree, and deleting a user (or its
// organization) disconnects its MQTT clients at once.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizationSchema, roleSchema, userSchema } from '@lynx/shared';
import { z } from 'zod';
import { createInstallation } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connackCode, connectMqtt, publishAsync } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let anon: LynxHttp;
let admin: LynxHttp;
let roles: Record<string, number>;
let orgA: z.infer<typeof organizationSchema>;
let orgB: z.infer<typeof organizationSchema>;
let adminA: { id: number; client: LynxHttp; token: string };
const clients: MqttClient[] = [];

beforeAll(async () => {
  server = await startServerProcess();
  anon = new LynxHttp(server.httpUrl);
  ({ client: admin } = await anon.login(server.adminEmail, server.adminPassword));
  const list = z.array(roleSchema).parse(expectOk(await admin.get('/api/v2/role')));
  roles = Object.fromEntries(list.map((r) => [r.name, r.id]));
  orgA = organizationSchema.parse(expectOk(await admin.post('/api/v2/organization', { name: 'A' })));
  orgB = organizationSchema.parse(expectOk(await admin.post('/api/v2/organization', { name: 'B' })));
  const created = expectOk(await admin.post('/api/v2/user', { email: 'a-admin@example.com', password: 'a-admin-password', role: roles['organization admin'], organisations: [orgA.id] }));
  const { client, token } = await anon.login('a-admin@example.com', 'a-admin-password');
  adminA = { id: created.id, client, token };
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await server?.stop();
  await removeDataDir(server.dataDir);
});

async function mqttWith(token: string, clientId: string) {
  const c = await connectMqtt(server.mqttUrl, { username: 'apikey', password: token, clientId });
  clients.push(c);
  return c;
}

const closed = (c: MqttClient) => new Promise<void>((resolve) => (c.disconnected ? resolve() : c.once('close', () => resolve())));

describe('organizations', () => {
  it('lists the tree in full and minimal form', async () => {
    const minimal = expectOk(await admin.get('/api/v2/organization?minimal=true'));
    expect(minimal).toContainEqual({ id: orgA.id, name: 'A', parent: orgA.parent });
    expect(minimal.find((o: { parent: number }) => o.parent === 0)).toBeDefined();
    expect(expectOk(await adminA.client.get('/api/v2/organization')).map((o: { id: number }) => o.id)).toEqual([orgA.id]);
    expect((await adminA.client.get(`/api/v2/organization/${orgB.id}`)).status).toBe(404);
    const sub = organizationSchema.parse(expectOk(await adminA.client.post('/api/v2/organization', { name: 'A1' })));
    expect(sub.parent).toBe(orgA.id);
    expect((await adminA.client.put(`/api/v2/organization/${sub.id}`, { ...sub, parent: orgB.id })).status).toBe(403);
    expect(expectOk(await adminA.client.put(`/api/v2/organization/${sub.id}/meta/site?create_missing=true`, { Value: 'north', Protected: false }))).toEqual({
      value: 'north',
      protected: false,
    });
  });

  it('reports the permission map of an organization admin', async () => {
    const perms = expectOk(await adminA.client.get('/api/v2/permission'));
    expect(perms['user/create/delete']).toBe(true);
    expect(perms['role/create_delete']).toBe(false);
    expect((await adminA.client.post('/api/v2/role', { name: 'mine' })).status).toBe(403);
  });
});

describe('users', () => {
  it('keeps sibling organizations apart', async () => {
    const inB = expectOk(await admin.post('/api/v2/user', { email: 'b-user@example.com', password: 'b-user-password', organisations: [orgB.id] }));
    const instB = await createInstallation(admin, 'B home', { organization_id: orgB.id });
    const emails = expectOk(await adminA.client.get('/api/v2/user')).map((u: { email: string }) => u.email);
    expect(emails).toContain('a-admin@example.com');
    expect(emails).not.toContain('b-user@example.com');
    expect((await adminA.client.get(`/api/v2/user/${inB.id}`)).status).toBe(404);
    expect((await adminA.client.delete(`/api/v2/user/${inB.id}`)).status).toBe(404);
    expect((await adminA.client.get(`/api/v2/installation/${instB.id}`)).status).toBe(404);
    expect(expectOk(await adminA.client.get('/api/v2/installationinfo')).map((i: { id: number }) => i.id)).not.toContain(instB.id);
  });

  it('refuses to let an organization admin raise anyone above itself', async () => {
    const worker = expectOk(await adminA.client.post('/api/v2/user', { email: 'raise@example.com', password: 'raise-password' }));
    expect((await adminA.client.put(`/api/v2/user/${worker.id}`, { ...worker, role: roles.admin })).status).toBe(403);
    expect((await adminA.client.post('/api/v2/user', { email: 'x@example.com', password: 'x-password', role: roles.admin })).status).toBe(403);
    expect((await adminA.client.put('/api/v2/user/me', { role: roles.admin })).status).toBe(403);
  });

  it('disconnects the MQTT clients of a deleted user and rejects its tokens', async () => {
    const inst = await createInstallation(adminA.client, 'A home');
    const user = userSchema.parse(
      expectOk(await adminA.client.post('/api/v2/user', { email: 'worker@example.com', password: 'worker-password', assigned_installations: [inst.id] })),
    );
    expect(user.assigned_installations).toEqual([inst.id]);
    const { client } = await anon.login('worker@example.com', 'worker-password');
    const key = expectOk(await client.post<{ token: string }>('/api/v2/user/me/security/token', { name: 'device' })).token;
    const c = await mqttWith(key, 'worker-device');
    await c.subscribeAsync(`${inst.client_id}/obj/#`, { qos: 1 });
    await publishAsync(c, `${inst.client_id}/obj/t`, { value: 1 }, 1);

    const gone = closed(c);
    expectOk(await adminA.client.delete(`/api/v2/user/${user.id}`));
    await gone;
    expect((await anon.withKey(key).get('/api/v2/user/me')).status).toBe(401);
    expect([4, 5]).toContain(await connackCode(server.mqttUrl, { username: 'x', password: key }));
    expect(expectOk(await adminA.client.get(`/api/v2/installation/${inst.id}`)).users).toEqual([]);
  });

  it('changes passwords: your own with the current one, others’ as an administrator', async () => {
    expectOk(await adminA.client.post('/api/v2/user', { email: 'pw@example.com', password: 'first-password' }));
    const first = await anon.login('pw@example.com', 'first-password');
    const second = await anon.login('pw@example.com', 'first-password');
    expect((await first.client.put('/api/v2/user/me/password', { current_password: 'nope', new_password: 'second-password' })).status).toBe(400);
    expectOk(await first.client.put('/api/v2/user/me/password', { current_password: 'first-password', new_password: 'second-password' }));
    expect((await first.client.get('/api/v2/user/me')).status).toBe(200);
    expect((await second.client.get('/api/v2/user/me')).status).toBe(401);
    await expect(anon.login('pw@example.com', 'first-password')).rejects.toThrow(/401/);
    const me = expectOk(await first.client.get('/api/v2/user/me'));

    expectOk(await adminA.client.put(`/api/v2/user/${me.id}/password`, { new_password: 'third-password' }));
    expect((await first.client.get('/api/v2/user/me')).status).toBe(401);
    await anon.login('pw@example.com', 'third-password');
  });
});

describe('forced organization delete', () => {
  it('takes the subtree, its installations and its users, disconnecting them (go-lynx `&force=true` form)', async () => {
    const doomedOrg = organizationSchema.parse(expectOk(await admin.post('/api/v2/organization', { name: 'Doomed', parent: orgB.id })));
    const inst = await createInstallation(admin, 'doomed home', { organization_id: doomedOrg.id });
    const member = expectOk(await admin.post('/api/v2/user', { email: 'doomed@example.com', password: 'doomed-password', organisations: [doomedOrg.id] }));
    const { token } = await anon.login('doomed@example.com', 'doomed-password');
    const c = await mqttWith(token, 'doomed-client');

    expect((await admin.delete(`/api/v2/organization/${orgB.id}`)).status).toBe(400);
    const gone = closed(c);
    const res = expectOk(await admin.delete(`/api/v2/organization/${orgB.id}&force=true`));
    expect(res.message).toMatch(/deleted with 1 sub-organizations, 2 installations and 2 users/);
    await gone;
    expect((await admin.get(`/api/v2/installation/${inst.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v2/user/${member.id}`)).status).toBe(404);
    expect((await anon.withKey(token).get('/api/v2/user/me')).status).toBe(401);
    expect((await admin.get(`/api/v2/organization/${doomedOrg.id}`)).status).toBe(404);
  });
});
