// Files (spec 2.11) against the built server: multipart uploads written by hand in both client
// forms (node-lynx field `file`; go-lynx a part named by the quoted file name with its own
// Content-Type), hash dedupe, byte-equal downloads, limits, tenants, and a restart.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { goQuote, rawRequest, sendMultipart, type RawPart } from './helpers/multipart.js';
import { createLoggedInUser, roleIds, type LoggedInUser } from './helpers/principals.js';
import { makeDataDir, removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const uploadLimit = 100 * 1024;
let dataDir: string;
let server: ServerProcess;
let admin: LynxHttp;
let apiKey: string;
let inst: InstallationRef;
let rootOrg: number;
let stranger: LoggedInUser;

const env = { LYNX_MAX_UPLOAD_BYTES: String(uploadLimit) };

beforeAll(async () => {
  dataDir = await makeDataDir();
  server = await startServerProcess({ dataDir, env });
  const { client } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword);
  apiKey = expectOk(await client.post<{ token: string }>('/api/v2/user/me/security/token', { name: 'files test' })).token;
  admin = client.withKey(apiKey);
  rootOrg = expectOk(await admin.get<{ organisations: number[] }>('/api/v2/user/me')).organisations[0];
  inst = await createInstallation(admin, 'File site');
  const roles = await roleIds(admin);
  const other = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Other tenant', parent: rootOrg }));
  stranger = await createLoggedInUser(admin, { email: 'files-stranger@example.com', role: roles['organization admin'], organisations: [other.id] });
});

afterAll(async () => {
  await server?.stop();
  if (dataDir) await removeDataDir(dataDir);
});

const auth = () => ({ 'X-API-Key': apiKey });
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 2000 }, (_, i) => i % 256))]);
/** node-lynx: FormData.append('file', blob, name); the blob type is the browser's guess. */
const nodeLynx = (name: string, data: Buffer | string, type = 'application/octet-stream'): RawPart => ({ name: 'file', filename: name, contentType: type, data });
/** go-lynx: name="<quoted file name>"; filename="<base name>"; Content-Type: <mime>. */
const goLynx = (name: string, data: Buffer | string, type: string): RawPart => ({ name: goQuote(name), filename: goQuote(name), contentType: type, data });

const upload = (path: string, parts: RawPart[], method = 'POST', headers = auth()) => sendMultipart(server.httpUrl, method, path, headers, parts);
const download = (hash: string, headers = auth()) => rawRequest(server.httpUrl, 'GET', `/api/v2/file/download/${hash}`, headers);

let pngFile: any;
let notesFile: any;

describe('installation files', () => {
  it('uploads in both client forms, one File per part, and downloads the same bytes with the stored type', async () => {
    const res = await upload(`/api/v2/file/installation/${inst.id}`, [nodeLynx('photo.png', png, 'image/png'), goLynx('my "notes".txt', 'hello\nworld', 'text/plain')]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { id: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/), name: 'photo.png', mime: 'image/png', installation_id: inst.id, organization_id: 0, created: expect.any(Number), updated: expect.any(Number) },
      expect.objectContaining({ name: 'my "notes".txt', mime: 'text/plain', installation_id: inst.id }),
    ]);
    [pngFile, notesFile] = res.json;
    const dl = await download(pngFile.hash);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('image/png');
    expect(dl.headers.get('content-disposition')).toContain('photo.png');
    expect(dl.bytes.equals(png)).toBe(true);
    expect((await download(notesFile.hash)).bytes.toString()).toBe('hello\nworld');
    expect(expectOk(await admin.get(`/api/v2/file/installation/${inst.id}`))).toEqual([pngFile, notesFile]);
    expect(expectOk(await admin.get(`/api/v2/file/installation/${inst.id}/${pngFile.id}`))).toEqual(pngFile);
  });

  it("accepts the body Node's own FormData writes, as node-lynx 2.5 sends it", async () => {
    const form = new FormData();
    form.append('file', new Blob([png]), 'fetch.png');
    const res = await fetch(`${server.httpUrl}/api/v2/file/installation/${inst.id}`, { method: 'POST', headers: auth(), body: form });
    expect(res.status).toBe(200);
    const [file] = (await res.json()) as any[];
    expect(file).toMatchObject({ name: 'fetch.png', mime: 'image/png', hash: pngFile.hash });
    expectOk(await admin.delete(`/api/v2/file/installation/${inst.id}/${file.id}`));
  });

  it('stores identical content once (one blob for one hash)', async () => {
    const again = await upload(`/api/v2/file/installation/${inst.id}`, [nodeLynx('copy.png', png)]);
    expect(again.status).toBe(200);
    // An octet-stream blob of a .png is stored with the type its extension names.
    expect(again.json[0]).toMatchObject({ hash: pngFile.hash, mime: 'image/png', name: 'copy.png' });
    expect(existsSync(join(dataDir, 'files', pngFile.hash.slice(0, 2), pngFile.hash))).toBe(true);
    expectOk(await admin.delete(`/api/v2/file/installation/${inst.id}/${again.json[0].id}`));
    // The other row still references the bytes.
    expect((await download(pngFile.hash)).bytes.equals(png)).toBe(true);
  });

  it('replaces content with PUT (node-lynx) and POST (go-lynx) on the file id', async () => {
    const put = await upload(`/api/v2/file/installation/${inst.id}/${notesFile.id}`, [nodeLynx('notes.md', '# v2', 'text/markdown')], 'PUT');
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ id: notesFile.id, name: 'notes.md', mime: 'text/markdown' });
    const post = await upload(`/api/v2/file/installation/${inst.id}/${notesFile.id}`, [goLynx('notes.csv', 'a,b\n1,2\n', 'text/csv')]);
    expect(post.status).toBe(200);
    expect(post.json).toMatchObject({ id: notesFile.id, name: 'notes.csv', mime: 'text/csv' });
    expect((await download(post.json.hash)).bytes.toString()).toBe('a,b\n1,2\n');
    // The replaced contents are gone with their last reference.
    expect((await download(notesFile.hash)).status).toBe(404);
    expect((await download(put.json.hash)).status).toBe(404);
    notesFile = post.json;
  });

  it('refuses types off the allow-list naming them, files over the limit (413), and bodies that are not multipart', async () => {
    const exe = await upload(`/api/v2/file/installation/${inst.id}`, [nodeLynx('tool.exe', 'MZ')]);
    expect(exe.status).toBe(400);
    expect(exe.json.message).toContain('.exe');
    const html = await upload(`/api/v2/file/installation/${inst.id}`, [goLynx('page.txt', '<html>', 'text/html')]);
    expect(html.status).toBe(400);
    expect(html.json.message).toContain('text/html');
    const big = await upload(`/api/v2/file/installation/${inst.id}`, [nodeLynx('big.bin', Buffer.alloc(uploadLimit + 1))]);
    expect(big.status).toBe(413);
    expect(big.json.message).toMatch(new RegExp(String(uploadLimit)));
    const json = await admin.post(`/api/v2/file/installation/${inst.id}`, { name: 'x.txt' });
    expect(json.status).toBe(400);
    expect(json.body.message).toMatch(/multipart/);
    const none = await upload(`/api/v2/file/installation/${inst.id}`, [{ name: 'note', data: 'just a field' }]);
    expect(none.status).toBe(400);
    expect(expectOk(await admin.get(`/api/v2/file/installation/${inst.id}`))).toEqual([pngFile, notesFile]);
  });

  it('keeps other tenants out of listing, uploading and downloading by hash', async () => {
    const h = { 'X-API-Key': stranger.token };
    expect((await stranger.client.get(`/api/v2/file/installation/${inst.id}`)).status).toBe(404);
    expect((await upload(`/api/v2/file/installation/${inst.id}`, [nodeLynx('x.txt', 'x')], 'POST', h)).status).toBe(404);
    expect((await download(pngFile.hash, h)).status).toBe(404);
    expect((await download('zz', h)).status).toBe(400);
  });
});

describe('organization files', () => {
  it('uploads, lists and downloads files of an organization; outsiders get 404', async () => {
    const res = await upload(`/api/v2/file/organization/${rootOrg}`, [nodeLynx('handbook.pdf', '%PDF-1.4 ...', 'application/pdf')]);
    expect(res.status).toBe(200);
    expect(res.json[0]).toMatchObject({ name: 'handbook.pdf', mime: 'application/pdf', organization_id: rootOrg, installation_id: 0 });
    expect(expectOk(await admin.get(`/api/v2/file/organization/${rootOrg}`))).toEqual(res.json);
    expect((await download(res.json[0].hash)).bytes.toString()).toBe('%PDF-1.4 ...');
    const sibling = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name: 'Sibling files', parent: rootOrg }));
    const own = await upload(`/api/v2/file/organization/${sibling.id}`, [nodeLynx('s.txt', 'sibling only')]);
    expect((await stranger.client.get(`/api/v2/file/organization/${sibling.id}`)).status).toBe(404);
    expect((await download(own.json[0].hash, { 'X-API-Key': stranger.token })).status).toBe(404);
  });

  it('records uploads in the trace as file objects', async () => {
    const trace = expectOk(await admin.get(`/api/v2/trace?from=0&to=4000000000&limit=100&offset=0&order=desc&object_type=file&object_id=${pngFile.id}`));
    expect(trace.data.map((e: any) => e.action)).toContain('create');
    expect(trace.data[0]).toMatchObject({ object_type: 'file', object_id: pngFile.id });
  });
});

describe('restart', () => {
  it('keeps files and their bytes', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startServerProcess({ dataDir, env });
    admin = new LynxHttp(server.httpUrl).withKey(apiKey);
    expect(expectOk(await admin.get(`/api/v2/file/installation/${inst.id}`))).toEqual([pngFile, notesFile]);
    expect((await download(pngFile.hash)).bytes.equals(png)).toBe(true);
    expect((await download(notesFile.hash)).bytes.toString()).toBe('a,b\n1,2\n');
  });
});
