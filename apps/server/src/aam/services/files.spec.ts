// Files on a real store and a real blob folder: hashing, dedupe, replacement, deletes that free
// blobs, the allow-list, the size limit and who may download a hash.
import { existsSync } from 'node:fs';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedFileSchema, viewerPermissions } from '@lynx/shared';
import { AppError, BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Principal } from '../principal.js';
import { createAamFixture, type AamFixture } from './aam-test-fixture.js';
import { FileBlobStore, sha256Hex } from './file-blob-store.js';
import { FilesService, type UploadPart } from './files.js';

let f: AamFixture;
let blobs: FileBlobStore;
let files: FilesService;
beforeEach(async () => {
  f = await createAamFixture();
  blobs = new FileBlobStore(join(f.dir, 'files'));
  files = new FilesService({ db: f.db, blobs, policy: f.policy, organizations: f.organizations, index: f.index, maxUploadBytes: 1024, audit: f.trace, now: () => f.clock.now });
});
afterEach(async () => {
  await f.close();
});

const part = (filename: string, content: string, mime?: string, field = 'file'): UploadPart => ({ field, filename, mime, data: Buffer.from(content) });

async function site(users: number[] = []) {
  return f.installations.create(f.admin, { name: 'Site', users });
}

describe('installation files', () => {
  it('stores one blob per content, answers one File per part, and frees the blob with its last row', async () => {
    const inst = await site();
    const owner = { kind: 'installation', id: inst.id } as const;
    const [a, b] = await files.upload(f.admin, owner, [part('a.txt', 'same'), part('b.csv', 'same', 'text/csv', '"b.csv"')]);
    storedFileSchema.strict().parse(a);
    expect(a).toMatchObject({ name: 'a.txt', mime: 'text/plain', installation_id: inst.id, organization_id: 0, hash: sha256Hex(Buffer.from('same')) });
    expect(b.hash).toBe(a.hash);
    expect(await files.list(f.admin, owner)).toEqual([a, b]);
    expect(await text((await files.download(f.admin, a.hash)).stream)).toBe('same');
    await files.delete(f.admin, owner, a.id);
    expect(await blobs.exists(a.hash)).toBe(true);
    await files.delete(f.admin, owner, b.id);
    expect(await blobs.exists(a.hash)).toBe(false);
    await expect(files.download(f.admin, a.hash)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('replaces content, name and type; the old blob goes when unreferenced', async () => {
    const inst = await site();
    const owner = { kind: 'installation', id: inst.id } as const;
    const [file] = await files.upload(f.admin, owner, [part('fw.bin', 'v1')]);
    f.clock.now += 3;
    const replaced = await files.replace(f.admin, owner, file.id, [part('fw2.bin', 'v2', 'application/x-firmware')]);
    expect(replaced).toMatchObject({ id: file.id, name: 'fw2.bin', mime: 'application/x-firmware', hash: sha256Hex(Buffer.from('v2')), updated: file.updated + 3 });
    expect(await blobs.exists(file.hash)).toBe(false);
    await expect(files.replace(f.admin, owner, file.id, [part('a.txt', '1'), part('b.txt', '2')])).rejects.toBeInstanceOf(BadRequestError);
  });

  it('refuses types off the allow-list, mismatched MIME types and files over the limit', async () => {
    const inst = await site();
    const owner = { kind: 'installation', id: inst.id } as const;
    await expect(files.upload(f.admin, owner, [part('run.exe', 'x')])).rejects.toThrow(/\.exe .*not allowed/);
    await expect(files.upload(f.admin, owner, [part('noext', 'x')])).rejects.toThrow(/no extension/);
    await expect(files.upload(f.admin, owner, [part('a.txt', 'x', 'image/png')])).rejects.toThrow(/image\/png is not allowed for \.txt/);
    const big = files.upload(f.admin, owner, [part('big.txt', 'x'.repeat(1025))]);
    await expect(big).rejects.toBeInstanceOf(AppError);
    await expect(big).rejects.toMatchObject({ status: 413 });
    // Nothing of a refused upload is stored, not even the allowed parts before the bad one.
    await expect(files.upload(f.admin, owner, [part('ok.txt', 'ok'), part('bad.exe', 'x')])).rejects.toBeInstanceOf(BadRequestError);
    expect(await files.list(f.admin, owner)).toEqual([]);
  });

  it('follows file/* keys: viewers read and download, only writers upload, other tenants see nothing', async () => {
    const inst = await site([f.user.userId]);
    const owner = { kind: 'installation', id: inst.id } as const;
    const [file] = await files.upload(f.admin, owner, [part('a.txt', 'secret')]);
    const viewer: Principal = { ...f.user, permissions: new Set(viewerPermissions) };
    expect(await files.list(viewer, owner)).toEqual([file]);
    expect((await files.download(viewer, file.hash)).name).toBe('a.txt');
    await expect(files.upload(viewer, owner, [part('b.txt', 'x')])).rejects.toBeInstanceOf(ForbiddenError);
    const sibling: Principal = { ...f.childAdmin, userId: 999, organizationIds: [f.orgs.sibling] };
    await expect(files.list(sibling, owner)).rejects.toBeInstanceOf(NotFoundError);
    await expect(files.download(sibling, file.hash)).rejects.toBeInstanceOf(NotFoundError);
    // Holding the same bytes elsewhere gives access through that file only.
    const theirs = await f.installations.create(f.childAdmin, { name: 'Theirs' });
    await files.upload(f.childAdmin, { kind: 'installation', id: theirs.id }, [part('mine.txt', 'secret')]);
    expect((await files.download(f.childAdmin, file.hash)).name).toBe('mine.txt');
  });
});

describe('organization files', () => {
  it('are written by administrators of the organization and read by its members', async () => {
    const owner = { kind: 'organization', id: f.orgs.child } as const;
    const [file] = await files.upload(f.childAdmin, owner, [part('plan.pdf', '%PDF')]);
    expect(file).toMatchObject({ installation_id: 0, organization_id: f.orgs.child, mime: 'application/pdf' });
    expect(await files.list(f.admin, owner)).toEqual([file]);
    const member: Principal = { ...f.user, userId: 998, organizationIds: [f.orgs.child] };
    expect(await files.list(member, owner)).toEqual([file]);
    await expect(files.upload(member, owner, [part('x.txt', 'x')])).rejects.toBeInstanceOf(ForbiddenError);
    const sibling: Principal = { ...f.childAdmin, userId: 999, organizationIds: [f.orgs.sibling] };
    await expect(files.list(sibling, owner)).rejects.toBeInstanceOf(NotFoundError);
    await expect(files.download(sibling, file.hash)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('blob store', () => {
  it('sweeps unreferenced blobs and leftover temporary files', async () => {
    const inst = await site();
    const [kept] = await files.upload(f.admin, { kind: 'installation', id: inst.id }, [part('a.txt', 'keep')]);
    const orphan = sha256Hex(Buffer.from('orphan'));
    await blobs.withLock(orphan, () => blobs.put(orphan, Buffer.from('orphan')));
    await mkdir(join(blobs.root, 'ab'), { recursive: true });
    await writeFile(join(blobs.root, 'ab', '.tmp-crashed'), 'x');
    expect(await files.sweep()).toBe(1);
    expect(await readdir(join(blobs.root, 'ab'))).toEqual(['.tmp-crashed']);
    expect(await files.sweep({ startup: true })).toBe(1);
    expect(existsSync(blobs.path(kept.hash))).toBe(true);
    expect(existsSync(blobs.path(orphan))).toBe(false);
    expect(await readdir(join(blobs.root, 'ab'))).toEqual([]);
  });

  it('keeps a blob whose row was committed after the sweep listed the references', async () => {
    const inst = await site();
    const [file] = await files.upload(f.admin, { kind: 'installation', id: inst.id }, [part('late.txt', 'late')]);
    // A stale reference list (empty) must not win over the check made under the hash's lock.
    expect(await blobs.sweep(new Set(), async (hash) => hash === file.hash, 0)).toBe(0);
    expect(await blobs.exists(file.hash)).toBe(true);
  });
});
