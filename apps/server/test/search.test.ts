// Search (spec 2.12 `GET /api/v3beta/search`) against the built server, with the query forms
// go-lynx and node-lynx send: q, types=a,b, limit, offset, metadata.<key>=<value>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssignedUser, createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let admin: LynxHttp;
let home: InstallationRef;
let lab: InstallationRef;
const ids: Record<string, number> = {};

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
  home = await createInstallation(admin, 'Sommarhus', { meta: { region: 'Öland' } });
  lab = await createInstallation(admin, 'Kitchen lab');
  ids.lamp = expectOk(await admin.post(`/api/v2/devicex/${home.id}`, { type: 'shelly', meta: { name: 'Kitchen lamp', room: 'kök' } })).id;
  ids.temp = expectOk(await admin.post(`/api/v2/functionx/${home.id}`, { type: 'temperature', meta: { name: 'Temperatur', room: 'kök' } })).id;
  ids.fan = expectOk(await admin.post(`/api/v2/functionx/${lab.id}`, { type: 'switch', meta: { name: 'Fan', room: 'kök' } })).id;
});

afterAll(async () => {
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
});

const found = (r: { results: { type: string; id: number }[] }) => r.results.map((e) => `${e.type}:${e.id}`);

describe('GET /api/v3beta/search', () => {
  it('answers a SearchResult for q, types, metadata, limit and offset', async () => {
    const r = expectOk(await admin.get(`/api/v3beta/search?q=KITCHEN`));
    expect(r).toEqual({
      total: 2,
      limit: 100,
      offset: 0,
      q: 'KITCHEN',
      results: [
        { type: 'installation', id: lab.id, installation_id: lab.id, name: 'Kitchen lab', description: '', created: expect.any(Number), updated: expect.any(Number), meta_matches: {}, metadata: {} },
        {
          type: 'device',
          id: ids.lamp,
          installation_id: home.id,
          name: 'Kitchen lamp',
          description: '',
          created: expect.any(Number),
          updated: expect.any(Number),
          meta_matches: { name: 'Kitchen lamp' },
          metadata: { name: 'Kitchen lamp', room: 'kök' },
        },
      ],
    });
    expect(found(expectOk(await admin.get(`/api/v3beta/search?q=%C3%B6land`)))).toEqual([`installation:${home.id}`]);
    // node-lynx: URLSearchParams with metadata.<key>; go-lynx: the same, key order aside.
    const params = new URLSearchParams({ q: '', types: 'device,function' });
    params.append('metadata.room', 'kök');
    expect(found(expectOk(await admin.get(`/api/v3beta/search?${params}`)))).toEqual([`device:${ids.lamp}`, `function:${ids.temp}`, `function:${ids.fan}`]);
    const page = expectOk(await admin.get(`/api/v3beta/search?types=function&limit=1&offset=1`));
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1, types: ['function'] });
    expect(found(page)).toEqual([`function:${ids.fan}`]);
  });

  it('finds only what the caller may list', async () => {
    const { client } = await createAssignedUser(admin, 'searcher@example.com', [home.id]);
    expect(found(expectOk(await client.get(`/api/v3beta/search?metadata.room=k%C3%B6k`)))).toEqual([`device:${ids.lamp}`, `function:${ids.temp}`]);
    expect(expectOk(await client.get(`/api/v3beta/search?q=lab`)).total).toBe(0);
    expect((await new LynxHttp(server.httpUrl).get(`/api/v3beta/search?q=x`)).status).toBe(401);
  });

  it('answers 400 naming the parameter', async () => {
    const types = await admin.get(`/api/v3beta/search?types=device,organization`);
    expect(types.status).toBe(400);
    expect(types.body.message).toMatch(/^invalid types/);
    const limit = await admin.get(`/api/v3beta/search?limit=many`);
    expect(limit.status).toBe(400);
    expect(limit.body.message).toMatch(/^invalid limit/);
  });
});
