// Files (spec 1.15, 2.11): owned by an installation or an organization, bytes stored once per
// content hash. Installation files follow the `file/*/{all,assigned}` keys; organization files are
// read by the organization's members (and administrators above) and written with
// `file/update/organization` by administrators of the organization. A download by hash is allowed
// when the caller may download some file with that hash.
import type { MessageResponse, StoredFile } from '@lynx/shared';
import type { Readable } from 'node:stream';
import { noAudit, type Audit, type TraceAction } from '../audit.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { InstallationIndex } from '../installation-index.js';
import type { OrganizationTree } from '../organization-tree.js';
import type { Principal } from '../principal.js';
import { FilesRepository, type FileOwner, type StoredFileRecord } from '../repositories/files.js';
import type { AamDb } from '../store/open-store.js';
import type { AccessPolicy } from './access-policy.js';
import { sha256Hex, type BlobStore } from './file-blob-store.js';
import { acceptedMime, checkFileSize, cleanFileName } from './file-rules.js';

export type FileOwnerRef = { kind: 'installation'; id: number } | { kind: 'organization'; id: number };

/** One uploaded file part, already read. */
export interface UploadPart {
  /** The form field name (node-lynx: `file`; go-lynx: the quoted file name). */
  field: string;
  filename: string | undefined;
  mime: string | undefined;
  data: Buffer;
}

export interface FileDownload {
  name: string;
  mime: string;
  size: number;
  stream: Readable;
}

export interface FilesServiceOptions {
  db: AamDb;
  blobs: BlobStore;
  policy: AccessPolicy;
  organizations: OrganizationTree;
  index: InstallationIndex;
  maxUploadBytes: number;
  audit?: Audit;
  now?: () => number;
}

type Action = 'list' | 'download' | 'create_delete' | 'update';

export class FilesService {
  private readonly repo: FilesRepository;
  private readonly audit: Audit;
  private readonly now: () => number;

  constructor(private readonly opts: FilesServiceOptions) {
    this.repo = new FilesRepository(opts.db);
    this.audit = opts.audit ?? noAudit;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async list(p: Principal, owner: FileOwnerRef): Promise<StoredFile[]> {
    this.require(p, owner, 'list');
    return (await this.repo.list(ownerOf(owner))).map(toJson);
  }

  async get(p: Principal, owner: FileOwnerRef, id: number): Promise<StoredFile> {
    this.require(p, owner, 'list');
    return toJson(await this.load(owner, id));
  }

  /** For transports: refuse a caller before it sends a large body (`replace` = update of a file). */
  requireUpload(p: Principal, owner: FileOwnerRef, replace: boolean): void {
    this.require(p, owner, replace ? 'update' : 'create_delete');
  }

  /** One file per part; all parts are checked before any is stored. */
  async upload(p: Principal, owner: FileOwnerRef, parts: UploadPart[]): Promise<StoredFile[]> {
    this.require(p, owner, 'create_delete');
    const checked = this.check(parts);
    if (checked.length === 0) throw new BadRequestError('no file part in the upload: send multipart/form-data with a file (field "file")');
    const out: StoredFile[] = [];
    for (const c of checked) {
      const record = await this.opts.blobs.withLock(c.hash, async () => {
        await this.opts.blobs.put(c.hash, c.data);
        return this.repo.create(ownerOf(owner), { hash: c.hash, name: c.name, mime: c.mime, size: c.data.length }, this.now());
      });
      await this.trace('create', owner, record, `file "${record.name}" (${record.size} bytes, ${record.mime}) uploaded`);
      out.push(toJson(record));
    }
    return out;
  }

  /** New content (and name and type) for a file; exactly one file part. */
  async replace(p: Principal, owner: FileOwnerRef, id: number, parts: UploadPart[]): Promise<StoredFile> {
    this.require(p, owner, 'update');
    const current = await this.load(owner, id);
    const checked = this.check(parts);
    if (checked.length !== 1) throw new BadRequestError(`expected exactly one file part, got ${checked.length}`);
    const c = checked[0];
    const record = await this.opts.blobs.withLock(c.hash, async () => {
      await this.opts.blobs.put(c.hash, c.data);
      return this.repo.replace(id, { hash: c.hash, name: c.name, mime: c.mime, size: c.data.length }, Math.max(this.now(), current.updated + 1));
    });
    if (current.hash !== record.hash) await this.release(current.hash);
    await this.trace('update', owner, record, `file "${record.name}" replaced (${record.size} bytes, ${record.mime})`);
    return toJson(record);
  }

  async delete(p: Principal, owner: FileOwnerRef, id: number): Promise<MessageResponse> {
    this.require(p, owner, 'create_delete');
    const current = await this.load(owner, id);
    await this.opts.blobs.withLock(current.hash, async () => {
      if (!(await this.repo.delete(id))) throw this.notFound(owner, id);
      if ((await this.repo.countByHash(current.hash)) === 0) await this.opts.blobs.delete(current.hash);
    });
    await this.trace('delete', owner, current, `file "${current.name}" deleted`);
    return { message: `file ${id} deleted` };
  }

  /** The bytes of a hash, if the caller may download some file holding it; 404 otherwise. */
  async download(p: Principal, hash: string): Promise<FileDownload> {
    const normal = hash.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(normal)) throw new BadRequestError(`invalid hash: expected 64 hex digits, got ${JSON.stringify(hash)}`);
    const rows = await this.repo.byHash(normal);
    const allowed = rows.find((r) => this.may(p, refOf(r), 'download'));
    if (!allowed) throw new NotFoundError(`file ${normal} not found`);
    if (!(await this.opts.blobs.exists(normal))) throw new NotFoundError(`file ${normal} has no stored content`);
    return { name: allowed.name, mime: allowed.mime, size: allowed.size, stream: this.opts.blobs.read(normal) };
  }

  /**
   * Removes blobs no row references (start-up, and after deletes that cascaded in SQL). Leftover
   * temporary files go at start-up, later only when an hour old (an upload may be writing one).
   */
  async sweep(opts: { startup?: boolean } = {}): Promise<number> {
    const referenced = await this.repo.allHashes();
    return this.opts.blobs.sweep(referenced, async (hash) => (await this.repo.countByHash(hash)) > 0, opts.startup ? 0 : 3600_000);
  }

  private check(parts: UploadPart[]) {
    return parts.map((part) => {
      const name = cleanFileName(part.filename);
      const mime = acceptedMime(name, part.mime);
      checkFileSize(name, part.data.length, this.opts.maxUploadBytes);
      return { name, mime, data: part.data, hash: sha256Hex(part.data) };
    });
  }

  private async release(hash: string): Promise<void> {
    await this.opts.blobs.withLock(hash, async () => {
      if ((await this.repo.countByHash(hash)) === 0) await this.opts.blobs.delete(hash);
    });
  }

  private require(p: Principal, owner: FileOwnerRef, action: Action): void {
    if (owner.kind === 'installation') {
      this.opts.policy.require(p, `file/${action}`, owner.id);
      return;
    }
    if (!this.memberReach(p, owner.id)) throw new NotFoundError(`organization ${owner.id} not found`);
    if (!this.may(p, owner, action)) {
      throw new ForbiddenError(`missing permission ${action === 'list' || action === 'download' ? `file/${action}` : 'file/update/organization'} on organization ${owner.id}`);
    }
  }

  private may(p: Principal, owner: FileOwnerRef, action: Action): boolean {
    if (owner.kind === 'installation') return this.opts.policy.can(p, `file/${action}`, owner.id);
    if (!this.memberReach(p, owner.id)) return false;
    if (action === 'list' || action === 'download') return p.permissions.has(`file/${action}/all`) || p.permissions.has(`file/${action}/assigned`);
    // Writing needs the organization in the caller's administered subtree.
    return p.permissions.has('file/update/organization') && this.opts.organizations.subtree(p.organizationIds).has(owner.id);
  }

  /** Members of the organization or of one below it, and members of organizations above it. */
  private memberReach(p: Principal, organizationId: number): boolean {
    if (p.installationIds) return false;
    const tree = this.opts.organizations;
    if (!tree.has(organizationId)) return false;
    return p.organizationIds.some((own) => tree.isWithin(own, organizationId) || tree.isWithin(organizationId, own));
  }

  private async load(owner: FileOwnerRef, id: number): Promise<StoredFileRecord> {
    const record = await this.repo.get(ownerOf(owner), id);
    if (!record) throw this.notFound(owner, id);
    return record;
  }

  private notFound(owner: FileOwnerRef, id: number): NotFoundError {
    return new NotFoundError(`file ${id} not found in ${owner.kind} ${owner.id}`);
  }

  private async trace(action: TraceAction, owner: FileOwnerRef, record: StoredFileRecord, description: string): Promise<void> {
    const installationId = owner.kind === 'installation' ? owner.id : null;
    const organizationId = owner.kind === 'organization' ? owner.id : (this.opts.index.byId(owner.id)?.organizationId ?? null);
    await this.audit.record({ action, objectType: 'file', objectId: record.id, description, installationId, organizationId });
  }
}

function ownerOf(owner: FileOwnerRef): FileOwner {
  return owner.kind === 'installation' ? { installationId: owner.id } : { organizationId: owner.id };
}

function refOf(r: StoredFileRecord): FileOwnerRef {
  return r.installationId !== null ? { kind: 'installation', id: r.installationId } : { kind: 'organization', id: r.organizationId ?? 0 };
}

function toJson(r: StoredFileRecord): StoredFile {
  return {
    id: r.id,
    hash: r.hash,
    name: r.name,
    mime: r.mime,
    installation_id: r.installationId ?? 0,
    organization_id: r.organizationId ?? 0,
    created: r.created,
    updated: r.updated,
  };
}
