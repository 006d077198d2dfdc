// files.* through createCallerFactory over the real files service (store and blob folder): the UI's
// base64 upload gets the same type and size rules as the REST multipart upload.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../aam/principal.js';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import { FileBlobStore } from '../../aam/services/file-blob-store.js';
import { FilesService } from '../../aam/services/files.js';
import type { AppServices } from '../../services.js';
import { appRouter } from './router.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);
let f: AamFixture;
let files: FilesService;
beforeEach(async () => {
  f = await createAamFixture();
  files = new FilesService({ db: f.db, blobs: new FileBlobStore(join(f.dir, 'files')), policy: f.policy, organizations: f.organizations, index: f.index, maxUploadBytes: 64, now: () => f.clock.now });
});
afterEach(async () => {
  await f.close();
});

const caller = (principal: Principal | null) => createCaller({ services: { files } as unknown as AppServices, principal });

describe('file procedures', () => {
  it('upload, list, get and delete an installation file', async () => {
    const inst = await f.installations.create(f.admin, { name: 'Site' });
    const owner = { kind: 'installation' as const, id: inst.id };
    const admin = caller(f.admin);
    const file = await admin.files.upload({ owner, name: 'notes.txt', contentBase64: Buffer.from('hello').toString('base64') });
    expect(file).toMatchObject({ name: 'notes.txt', mime: 'text/plain', installation_id: inst.id });
    expect(await admin.files.list({ owner })).toEqual([file]);
    expect(await admin.files.get({ owner, id: file.id })).toEqual(file);
    expect(await admin.files.delete({ owner, id: file.id })).toHaveProperty('message');
    expect(await admin.files.list({ owner })).toEqual([]);
  });

  it('refuses what REST refuses: a type off the allow-list, oversize content, strangers, no login', async () => {
    const inst = await f.installations.create(f.admin, { name: 'Site' });
    const owner = { kind: 'installation' as const, id: inst.id };
    const admin = caller(f.admin);
    await expect(admin.files.upload({ owner, name: 'run.exe', contentBase64: 'AAAA' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(admin.files.upload({ owner, name: 'big.txt', contentBase64: Buffer.alloc(65).toString('base64') })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(admin.files.upload({ owner, name: 'a.txt', contentBase64: 'not base64!' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller(f.user).files.list({ owner })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller(null).files.list({ owner })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
