// Files (spec 2.11): per installation and per organization, multipart uploads in both client forms
// (node-lynx field `file`, go-lynx a part named by the quoted file name), download by hash.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, storedFileSchema } from '@lynx/shared';
import type { FileOwnerRef, UploadPart } from '../../../aam/services/files.js';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { readMultipart } from '../multipart.js';
import { intParam } from '../params.js';
import { openApi } from './meta-routes.js';

const tags = ['file'];
type Params = Record<string, string | undefined>;

/** Every part that carries a file name is a file, whatever its field name. */
async function fileParts(request: FastifyRequest): Promise<UploadPart[]> {
  const parts = await readMultipart(request, 'a file part (field "file")');
  return parts.filter((p) => p.filename !== undefined).map((p) => ({ field: p.field, filename: p.filename, mime: p.mime, data: p.data }));
}

/** `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerFileRoutes(app: FastifyInstance, services: Pick<AppServices, 'files'>): void {
  const svc = services.files;
  const file200 = { 200: openApi(storedFileSchema) };
  const list200 = { 200: openApi(z.array(storedFileSchema)) };

  for (const kind of ['installation', 'organization'] as const) {
    const base = `/api/v2/file/${kind}/:ownerId`;
    const ownerParams = { type: 'object', properties: { ownerId: { type: 'integer' } } };
    const fileParams = { type: 'object', properties: { ownerId: { type: 'integer' }, fileId: { type: 'integer' } } };
    const owner = (request: FastifyRequest): FileOwnerRef => ({ kind, id: intParam((request.params as Params).ownerId, `${kind} id`) });
    const fileId = (request: FastifyRequest) => intParam((request.params as Params).fileId, 'file id');

    app.get(base, { schema: { summary: `Files of an ${kind}`, tags, params: ownerParams, response: list200 } }, async (request) => svc.list(principalOf(request), owner(request)));
    app.post(
      base,
      { config: { multipart: true }, schema: { summary: `Upload files to an ${kind} (multipart; one File per part)`, tags, params: ownerParams, response: list200 } },
      async (request) => {
        const p = principalOf(request);
        const ref = owner(request);
        svc.requireUpload(p, ref, false);
        return svc.upload(p, ref, await fileParts(request));
      },
    );
    app.get(`${base}/:fileId`, { schema: { summary: 'Get a file', tags, params: fileParams, response: file200 } }, async (request) =>
      svc.get(principalOf(request), owner(request), fileId(request)),
    );
    const replace = async (request: FastifyRequest) => {
      const p = principalOf(request);
      const ref = owner(request);
      const id = fileId(request);
      svc.requireUpload(p, ref, true);
      return svc.replace(p, ref, id, await fileParts(request));
    };
    // go-lynx replaces with POST, node-lynx with PUT.
    app.post(`${base}/:fileId`, { config: { multipart: true }, schema: { summary: 'Replace the content of a file (multipart, one part)', tags, params: fileParams, response: file200 } }, replace);
    app.put(`${base}/:fileId`, { config: { multipart: true }, schema: { summary: 'Replace the content of a file (multipart, one part)', tags, params: fileParams, response: file200 } }, replace);
    app.delete(`${base}/:fileId`, { schema: { summary: 'Delete a file', tags, params: fileParams, response: { 200: openApi(messageResponseSchema) } } }, async (request) =>
      svc.delete(principalOf(request), owner(request), fileId(request)),
    );
  }

  app.get(
    '/api/v2/file/download/:hash',
    { schema: { summary: 'Download the bytes of a file by hash, with its stored MIME type', tags, params: { type: 'object', properties: { hash: { type: 'string' } } } } },
    async (request, reply) => {
      const file = await svc.download(principalOf(request), String((request.params as Params).hash ?? ''));
      return reply.type(file.mime).header('content-length', file.size).header('content-disposition', contentDisposition(file.name)).send(file.stream);
    },
  );
}
