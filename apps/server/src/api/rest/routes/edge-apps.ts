// Edge apps (spec 2.9): the catalogue, versions (multipart app_lua + app_json), release names,
// downloads for gateways, and configured instances per installation.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { edgeAppInstanceSchema, edgeAppPublisherSchema, edgeAppSchema, edgeAppVersionSchema, messageResponseSchema } from '@lynx/shared';
import { AppError, BadRequestError } from '../../../aam/errors.js';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { readMultipart, type MultipartPart } from '../multipart.js';
import { boolQuery, intParam } from '../params.js';
import { openApi, silentQuery } from './meta-routes.js';

const tags = ['edge'];
const idParams = { type: 'object', properties: { id: { type: 'integer' } } };
const orgParams = { type: 'object', properties: { organizationId: { type: 'integer' } } };
const installationParams = { type: 'object', properties: { installationId: { type: 'integer' } } };
const instanceParams = { type: 'object', properties: { installationId: { type: 'integer' }, instanceId: { type: 'integer' } } };
const versionQuery = { type: 'object', properties: { version: { type: 'string', description: 'Release name or hash.' } } };

type Params = Record<string, string | undefined>;
const appId = (request: FastifyRequest) => intParam((request.params as Params).id, 'edge app id');
const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
const lastString = (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : value) as string | undefined;

/** app_lua / app_json as file parts (node-lynx, go-lynx) or plain fields; each at most once. */
export function versionParts(parts: MultipartPart[]): { lua?: string; json?: string } {
  const out: { lua?: string; json?: string } = {};
  for (const part of parts) {
    const key = part.field === 'app_lua' ? 'lua' : part.field === 'app_json' ? 'json' : undefined;
    if (!key) continue;
    if (out[key] !== undefined) throw new BadRequestError(`part ${part.field} appears more than once`);
    const text = part.data.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(part.data)) throw new BadRequestError(`part ${part.field} is not UTF-8 text`);
    out[key] = text;
  }
  return out;
}

export function registerEdgeAppRoutes(app: FastifyInstance, services: Pick<AppServices, 'edgeApps' | 'edgeAppInstances'>): void {
  const catalogue = services.edgeApps;
  const instances = services.edgeAppInstances;
  const app200 = { 200: openApi(edgeAppSchema) };

  app.get('/api/v2/edge/app', { schema: { summary: 'List the edge apps visible to the caller', tags, response: { 200: openApi(z.array(edgeAppSchema)) } } }, async (request) =>
    catalogue.list(principalOf(request)),
  );
  app.post('/api/v2/edge/app', { schema: { summary: 'Create a catalogue entry (publisher = organization)', tags, response: app200 } }, async (request) =>
    catalogue.create(principalOf(request), request.body),
  );
  app.get(
    '/api/v2/edge/app/organization/:organizationId',
    {
      schema: {
        summary: "An organization's published apps; available=true lists every app it may use",
        tags,
        params: orgParams,
        querystring: { type: 'object', properties: { available: { type: 'boolean' } } },
        response: { 200: openApi(z.array(edgeAppSchema)) },
      },
    },
    async (request) =>
      catalogue.listForOrganization(
        principalOf(request),
        intParam((request.params as Params).organizationId, 'organization id'),
        boolQuery(query(request).available, 'available'),
      ),
  );
  app.get('/api/v2/edge/publisher/:organizationId', { schema: { summary: 'A publisher (organization) with its apps', tags, params: orgParams, response: { 200: openApi(edgeAppPublisherSchema) } } }, async (request) =>
    catalogue.publisher(principalOf(request), intParam((request.params as Params).organizationId, 'organization id')),
  );
  app.get('/api/v2/edge/app/:id', { schema: { summary: 'Get a catalogue entry', tags, params: idParams, response: app200 } }, async (request) =>
    catalogue.get(principalOf(request), appId(request)),
  );
  app.put('/api/v2/edge/app/:id', { schema: { summary: 'Replace a catalogue entry; public=false hides it', tags, params: idParams, response: app200 } }, async (request) =>
    catalogue.update(principalOf(request), appId(request), request.body),
  );
  app.delete('/api/v2/edge/app/:id', { schema: { summary: 'Not supported: edge apps are hidden with public=false', tags, params: idParams } }, async () => {
    throw new AppError(405, 'edge apps cannot be deleted: hide one with PUT {"public": false}');
  });
  app.get(
    '/api/v2/edge/app/:id/version',
    {
      schema: {
        summary: 'Versions of an app; untagged=true includes versions without a release name',
        tags,
        params: idParams,
        querystring: { type: 'object', properties: { untagged: { type: 'boolean' } } },
        response: { 200: openApi(z.array(edgeAppVersionSchema)) },
      },
    },
    async (request) => catalogue.listVersions(principalOf(request), appId(request), boolQuery(query(request).untagged, 'untagged')),
  );
  app.post(
    '/api/v2/edge/app/:id/version',
    {
      config: { multipart: true },
      schema: { summary: 'Upload a version: multipart parts app_lua (app.lua) and app_json (app.json); the same pair answers the same hash', tags, params: idParams, response: { 200: openApi(edgeAppVersionSchema) } },
    },
    async (request) => {
      const p = principalOf(request);
      const id = appId(request);
      await catalogue.requireUpload(p, id);
      const parts = await readMultipart(request, 'parts app_lua and app_json');
      return catalogue.uploadVersion(p, id, versionParts(parts));
    },
  );
  app.post('/api/v2/edge/app/:id/publish', { schema: { summary: 'Name a version: {name, hash}', tags, params: idParams, response: { 200: openApi(edgeAppVersionSchema) } } }, async (request) =>
    catalogue.publish(principalOf(request), appId(request), request.body),
  );
  app.get('/api/v2/edge/app/:id/download', { schema: { summary: "A version's app.lua as text", tags, params: idParams, querystring: versionQuery } }, async (request, reply) => {
    const lua = await catalogue.download(principalOf(request), appId(request), lastString(query(request).version));
    return reply.type('text/x-lua; charset=utf-8').send(lua);
  });
  app.get('/api/v2/edge/app/:id/configure', { schema: { summary: "A version's app.json (configuration schema)", tags, params: idParams, querystring: versionQuery } }, async (request) =>
    catalogue.configure(principalOf(request), appId(request), lastString(query(request).version)),
  );

  const installationId = (request: FastifyRequest) => intParam((request.params as Params).installationId, 'installation id');
  const instanceId = (request: FastifyRequest) => intParam((request.params as Params).instanceId, 'edge app instance id');
  const silent = (request: FastifyRequest) => ({ silent: boolQuery(query(request).silent, 'silent') });
  const instance200 = { 200: openApi(edgeAppInstanceSchema) };
  const configured = '/api/v2/edge/app/configured/:installationId';

  app.get(configured, { schema: { summary: 'Configured edge apps of an installation', tags, params: installationParams, response: { 200: openApi(z.array(edgeAppInstanceSchema)) } } }, async (request) =>
    instances.list(principalOf(request), installationId(request)),
  );
  app.post(configured, { schema: { summary: 'Configure an app version on an installation', tags, params: installationParams, querystring: silentQuery, response: instance200 } }, async (request) =>
    instances.create(principalOf(request), installationId(request), request.body, silent(request)),
  );
  app.get(`${configured}/:instanceId`, { schema: { summary: 'Get a configured edge app', tags, params: instanceParams, response: instance200 } }, async (request) =>
    instances.get(principalOf(request), installationId(request), instanceId(request)),
  );
  app.put(`${configured}/:instanceId`, { schema: { summary: 'Replace a configured edge app', tags, params: instanceParams, querystring: silentQuery, response: instance200 } }, async (request) =>
    instances.update(principalOf(request), installationId(request), instanceId(request), request.body, silent(request)),
  );
  app.delete(
    `${configured}/:instanceId`,
    { schema: { summary: 'Remove a configured edge app', tags, params: instanceParams, querystring: silentQuery, response: { 200: openApi(messageResponseSchema) } } },
    async (request) => instances.delete(principalOf(request), installationId(request), instanceId(request), silent(request)),
  );
}
