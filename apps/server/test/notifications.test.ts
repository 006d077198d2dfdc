// Notifications over REST against the built server (spec 2.8): CRUD with permissions (a viewer
// reads but cannot write, another tenant sees nothing), template errors at save, sending to a
// local webhook receiver, and a pending delivery that survives a restart.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { eventually } from './helpers/mqtt-client.js';
import { createLoggedInUser, roleIds } from './helpers/principals.js';
import { makeDataDir, removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

interface Receiver {
  port: number;
  bodies: any[];
  close(): Promise<void>;
}

async function startReceiver(port = 0): Promise<Receiver> {
  const bodies: any[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push({ key: req.headers['x-api-key'], body: JSON.parse(text) });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let server: ServerProcess;
let admin: LynxHttp;
let viewer: LynxHttp;
let other: LynxHttp;
let rx: Receiver;
let inst: { id: number; client_id: number };
let orgA: number;
const dataDirs: string[] = [];

beforeAll(async () => {
  rx = await startReceiver();
  server = await startServerProcess();
  dataDirs.push(server.dataDir);
  ({ client: admin } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  const roles = await roleIds(admin);
  orgA = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'A' })).id;
  const orgB = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'B' })).id;
  inst = expectOk(await admin.post('/api/v2/installation', { name: 'Cabin', organization_id: orgA, timezone: 'Europe/Stockholm' }));
  viewer = (await createLoggedInUser(admin, { email: 'viewer@example.com', role: roles.viewer, organisations: [orgA], assigned_installations: [inst.id] })).client;
  other = (await createLoggedInUser(admin, { email: 'other@example.com', role: roles['organization admin'], organisations: [orgB] })).client;
});

afterAll(async () => {
  await server?.stop();
  await rx?.close();
  for (const dir of dataDirs) await removeDataDir(dir);
});

describe('notification REST API', () => {
  let executorId: number;
  let messageId: number;
  let outputId: number;

  it('administers executors with a write-only secret', async () => {
    const bad = await admin.post('/api/v2/admin/notification/executor', { type: 'webhook', name: 'hook', organization_id: orgA, config: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('config.url');
    const created = expectOk(
      await admin.post('/api/v2/admin/notification/executor', { type: 'webhook', name: 'hook', organization_id: orgA, config: { url: `http://127.0.0.1:${rx.port}/in` }, secret: 'key-1' }),
    );
    executorId = created.id;
    expect(created).toStrictEqual({ id: executorId, type: 'webhook', name: 'hook', organization_id: orgA, config: { url: `http://127.0.0.1:${rx.port}/in` }, secret: '********' });
    expect(expectOk(await admin.get(`/api/v2/admin/notification/executor/${executorId}`)).secret).toBe('********');
    expect(expectOk(await admin.get(`/api/v2/notification/${inst.id}/executor`)).map((e: any) => e.id)).toEqual([executorId]);
    // The viewer may list executors of its installation (notification/executor/list/assigned) but not administer them.
    expect(expectOk(await viewer.get(`/api/v2/notification/${inst.id}/executor/${executorId}`)).id).toBe(executorId);
    expect((await viewer.get('/api/v2/admin/notification/executor')).status).toBe(403);
    // Another tenant's administrator does not see it, nor may it create one in organization A.
    expect((await other.get(`/api/v2/admin/notification/executor/${executorId}`)).status).toBe(404);
    expect(expectOk(await other.get('/api/v2/admin/notification/executor'))).toEqual([]);
    expect((await other.post('/api/v2/admin/notification/executor', { type: 'webhook', name: 'x', organization_id: orgA, config: { url: 'http://127.0.0.1:1/' } })).status).toBe(404);
  });

  it('creates messages, refusing templates that do not compile with the position', async () => {
    const bad = await admin.post(`/api/v2/notification/${inst.id}/message`, { name: 'm', text: 'Hi\n{{if .payload.x}}open', installation_id: inst.id });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('invalid text: template: line 2, column 3: unexpected EOF: {{if}} has no {{end}}');
    const unknown = await admin.post(`/api/v2/notification/${inst.id}/message`, { name: 'm', text: '{{shout .payload.x}}' });
    expect(unknown.body).toStrictEqual({ message: 'invalid text: template: line 1, column 3: function "shout" not defined' });
    const text = '{{.installation.Name}} {{.payload.value | printf "%.1f"}} {{(toTime .payload.t).Format "2006-01-02 15:04"}}';
    const created = expectOk(await admin.post(`/api/v2/notification/${inst.id}/message`, { name: 'temp', text, installation_id: inst.id }));
    messageId = created.id;
    expect(created).toStrictEqual({ id: messageId, installation_id: inst.id, name: 'temp', text });
    const mismatch = await admin.post(`/api/v2/notification/${inst.id}/message`, { name: 'x', text: 'x', installation_id: inst.id + 1000 });
    expect(mismatch.status).toBe(400);
    const updated = expectOk(await admin.put(`/api/v2/notification/${inst.id}/message/${messageId}`, { ...created, name: 'temperature' }));
    expect(updated.name).toBe('temperature');
    expect(expectOk(await viewer.get(`/api/v2/notification/${inst.id}/message`))).toStrictEqual([updated]);
  });

  it('refuses writes to a viewer (403) and everything to another tenant (404)', async () => {
    const viewerWrite = await viewer.post(`/api/v2/notification/${inst.id}/message`, { name: 'v', text: 'v' });
    expect(viewerWrite.status).toBe(403);
    expect(viewerWrite.body.message).toContain('notification/message/create_delete');
    expect((await viewer.put(`/api/v2/notification/${inst.id}/message/${messageId}`, { name: 'v', text: 'v' })).status).toBe(403);
    expect((await viewer.delete(`/api/v2/notification/${inst.id}/message/${messageId}`)).status).toBe(403);
    for (const path of [`message`, `message/${messageId}`, `output`, `executor`]) {
      const reply = await other.get(`/api/v2/notification/${inst.id}/${path}`);
      expect(reply.status, path).toBe(404);
      expect(reply.body).toStrictEqual({ message: `installation ${inst.id} not found` });
    }
    expect((await other.post(`/api/v2/notification/${inst.id}/message`, { name: 'o', text: 'o' })).status).toBe(404);
  });

  it('creates outputs and sends through them to the webhook', async () => {
    const bad = await admin.post(`/api/v2/notification/${inst.id}/output`, {
      name: 'o',
      notification_output_executor_id: executorId,
      notification_message_id: messageId,
      config: { to: '{{.nope' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('invalid config.to: template: line 1, column');
    const created = expectOk(
      await admin.post(`/api/v2/notification/${inst.id}/output`, {
        name: 'out',
        installation_id: inst.id,
        notification_output_executor_id: executorId,
        notification_message_id: messageId,
        config: { receivers: '{{.organization.Name}}' },
      }),
    );
    outputId = created.id;
    expect(created).toStrictEqual({
      id: outputId,
      name: 'out',
      installation_id: inst.id,
      notification_output_executor_id: executorId,
      notification_message_id: messageId,
      config: { receivers: '{{.organization.Name}}' },
    });
    expect(expectOk(await viewer.get(`/api/v2/notification/${inst.id}/output/${outputId}`))).toStrictEqual(created);
    expect((await viewer.post(`/api/v2/notification/${inst.id}/output/${outputId}/send`, {})).status).toBe(403);
    expect((await other.post(`/api/v2/notification/${inst.id}/output/${outputId}/send`, {})).status).toBe(404);
    expect((await admin.post(`/api/v2/notification/${inst.id}/output/${outputId}/send`, [1, 2])).status).toBe(400);

    const sent = expectOk(await admin.post(`/api/v2/notification/${inst.id}/output/${outputId}/send`, { value: 4.25, t: 1700000000 }));
    expect(sent.message).toContain('queued');
    const got = await eventually(async () => rx.bodies.find((b) => b.body.payload?.value === 4.25), 15_000);
    expect(got.key).toBe('key-1');
    expect(got.body.message).toBe('Cabin 4.2 2023-11-14 23:13');
    expect(got.body.output_config).toStrictEqual({ receivers: 'A' });
    expect(got.body.installation).toMatchObject({ id: inst.id, client_id: inst.client_id, name: 'Cabin', timezone: 'Europe/Stockholm' });
    expect(got.body.organization).toMatchObject({ id: orgA, name: 'A' });
  });

  it('deletes outputs, messages and executors', async () => {
    expect((await viewer.delete(`/api/v2/notification/${inst.id}/output/${outputId}`)).status).toBe(403);
    expect(expectOk(await admin.delete(`/api/v2/notification/${inst.id}/output/${outputId}`))).toStrictEqual({ message: `notification output ${outputId} deleted` });
    expect((await admin.get(`/api/v2/notification/${inst.id}/output/${outputId}`)).status).toBe(404);
    expect(expectOk(await admin.delete(`/api/v2/notification/${inst.id}/message/${messageId}`)).message).toContain('deleted');
    expect(expectOk(await admin.delete(`/api/v2/admin/notification/executor/${executorId}`)).message).toContain('deleted');
    expect(expectOk(await admin.get(`/api/v2/notification/${inst.id}/executor`))).toEqual([]);
  });
});

describe('notification delivery across a restart', () => {
  it('delivers a send whose receiver was down once the server runs again', async () => {
    // A port that refuses connections now and is listened on later.
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close();
    const dataDir = await makeDataDir();
    dataDirs.push(dataDir);
    const first = await startServerProcess({ dataDir });
    let down: ServerProcess | undefined = first;
    try {
      const { client: a } = await new LynxHttp(first.httpUrl).login(first.adminEmail, first.adminPassword);
      const me = expectOk(await a.get('/api/v2/user/me'));
      const org = me.organisations?.[0] ?? expectOk(await a.get('/api/v2/organization'))[0].id;
      const i = expectOk(await a.post('/api/v2/installation', { name: 'Later', organization_id: org }));
      const ex = expectOk(await a.post('/api/v2/admin/notification/executor', { type: 'webhook', name: 'h', organization_id: org, config: { url: `http://127.0.0.1:${port}/` } }));
      const msg = expectOk(await a.post(`/api/v2/notification/${i.id}/message`, { name: 'm', text: 'survived {{.payload.n}}' }));
      const out = expectOk(await a.post(`/api/v2/notification/${i.id}/output`, { name: 'o', notification_output_executor_id: ex.id, notification_message_id: msg.id }));
      expectOk(await a.post(`/api/v2/notification/${i.id}/output/${out.id}/send`, { n: 1 }));
      expect(await first.stop('SIGTERM')).toBe(0);
      down = undefined;

      const later = await startReceiver(port);
      try {
        const second = await startServerProcess({ dataDir });
        down = second;
        const got = await eventually(async () => later.bodies[0], 30_000);
        expect(got.body.message).toBe('survived 1');
        const { client: b } = await new LynxHttp(second.httpUrl).login(second.adminEmail, second.adminPassword);
        expect(b).toBeDefined();
        expect(later.bodies).toHaveLength(1);
      } finally {
        await later.close();
      }
    } finally {
      await down?.stop();
    }
  });
});
