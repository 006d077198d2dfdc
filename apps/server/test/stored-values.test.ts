// Inputs only one SQL provider could store (NUL characters, integers beyond 32 bits) get the same
// 4xx on SQLite and PostgreSQL, and leave the stored data as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let admin: LynxHttp;
let inst: InstallationRef;

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  inst = await createInstallation(admin, 'target', { meta: { site: 'north' } });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDataDir(server.dataDir);
});

describe('values beyond what every store holds', () => {
  it('refuses NUL characters in bodies, keys and URLs with 400', async () => {
    const nulName = await admin.post('/api/v2/installation', { name: 'a\u0000b' });
    expect(nulName).toMatchObject({ status: 400, body: { message: 'invalid name: NUL characters (\\u0000) are not allowed' } });
    const nulKey = await admin.post(`/api/v2/functionx/${inst.id}`, { type: 't', meta: { 'k\u0000': 'v' } });
    expect(nulKey).toMatchObject({ status: 400, body: { message: expect.stringContaining('meta.k') } });
    expect((await admin.put(`/api/v2/installation/${inst.id}/meta/a%00b`, { value: 'x' })).status).toBe(400);
    expect((await admin.get(`/api/v2/installation?site=north%00`)).status).toBe(400);
    expect((await admin.get(`/api/v2/installation/${inst.id}`)).body).toMatchObject({ name: 'target', meta: { site: 'north' } });
  });

  it('stores large incompressible meta values of devices and functions (no index row limit)', async () => {
    const { randomBytes } = await import('node:crypto');
    const value = randomBytes(12_000).toString('base64');
    for (const kind of ['devicex', 'functionx']) {
      const obj = expectOk(await admin.post<{ id: number }>(`/api/v2/${kind}/${inst.id}`, { type: 't', meta: { big: value } }));
      expectOk(await admin.put(`/api/v2/${kind}/${inst.id}/${obj.id}/meta/other?create_missing=true`, { value }));
      const back = expectOk(await admin.get<{ meta: Record<string, string> }>(`/api/v2/${kind}/${inst.id}/${obj.id}`));
      expect(back.meta).toMatchObject({ big: value, other: value });
    }
  });

  it('answers 401 to a login whose e-mail holds a NUL character', async () => {
    const res = await new LynxHttp(server.httpUrl).post('/api/v2/auth', undefined, { Authorization: LynxHttp.basic('admin\u0000@lynx.local', 'x') });
    expect(res.status).toBe(401);
  });

  it('treats ids beyond 32 bits as ids of nothing', async () => {
    for (const path of ['/api/v2/installation/2147483648', `/api/v2/functionx/${inst.id}/2147483648`, `/api/v2/devicex/${inst.id}/4102444800`, '/api/v2/user/2147483648']) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(404);
      expect(typeof res.body.message, path).toBe('string');
    }
    const users = await admin.put(`/api/v2/installation/${inst.id}`, { name: 'target', users: [2147483648] });
    expect(users.status).toBe(400);
    expect(expectOk(await admin.get(`/api/v2/installation/${inst.id}`)).users).toEqual([]);
  });
});
