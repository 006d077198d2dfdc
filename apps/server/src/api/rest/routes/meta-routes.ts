// The four single-key meta endpoints (spec 2.2-2.4) below an object path, and the OpenAPI bits the
// installation and devicex/functionx routes share.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, metaObjectSchema, type MessageResponse, type MetaObject } from '@lynx/shared';
import type { Principal } from '../../../aam/principal.js';
import type { MetaWriteOptions } from '../../../aam/services/meta.js';
import { principalOf } from '../authenticate.js';
import { boolQuery } from '../params.js';

/** JSON schema of a zod schema, for documentation only (validation and serialization are off). */
export function openApi(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0' }) as Record<string, unknown>;
}

export const silentQuery = {
  type: 'object',
  properties: { silent: { type: 'boolean', description: 'Do not publish the evt/.../updated MQTT event.' } },
  additionalProperties: true,
} as const;

export interface MetaRouteHandlers<Ids> {
  get(p: Principal, ids: Ids, key: string): Promise<MetaObject>;
  create(p: Principal, ids: Ids, key: string, body: unknown, opts: MetaWriteOptions): Promise<MetaObject>;
  update(p: Principal, ids: Ids, key: string, body: unknown, opts: MetaWriteOptions): Promise<MetaObject>;
  delete(p: Principal, ids: Ids, key: string, opts: MetaWriteOptions): Promise<MessageResponse>;
}

export interface MetaRoutesOptions<Ids> {
  /** Object path with Fastify params, e.g. `/api/v2/installation/:id`. */
  base: string;
  tag: string;
  /** Object name used in summaries. */
  noun: string;
  params: Record<string, unknown>;
  ids(request: FastifyRequest): Ids;
  handlers: MetaRouteHandlers<Ids>;
}

type Query = Record<string, unknown>;

/**
 * node-lynx URL-encodes the key (Fastify decodes `%2F` and the rest); go-lynx sends it raw, so a
 * key with `/` spans several segments and is caught by an undocumented wildcard twin.
 */
export function registerMetaRoutes<Ids>(app: FastifyInstance, opts: MetaRoutesOptions<Ids>): void {
  const keyOf = (request: FastifyRequest) => {
    const params = request.params as { key?: string; '*'?: string };
    return params.key ?? params['*'] ?? '';
  };
  const writeOpts = (request: FastifyRequest): MetaWriteOptions => {
    const query = request.query as Query;
    return { silent: boolQuery(query.silent, 'silent'), createMissing: boolQuery(query.create_missing, 'create_missing') };
  };
  const params = {
    type: 'object',
    properties: { ...opts.params, key: { type: 'string', description: 'Meta key (URL-encoded or raw).' } },
  };
  const meta = openApi(metaObjectSchema);
  const message = openApi(messageResponseSchema);
  const writeQuery = {
    ...silentQuery,
    properties: { ...silentQuery.properties, create_missing: { type: 'boolean', description: 'PUT: create the key if it is missing.' } },
  };

  for (const [path, hide] of [
    [`${opts.base}/meta/:key`, false],
    [`${opts.base}/meta/*`, true],
  ] as const) {
    const doc = (summary: string, response: Record<string, unknown>, querystring?: Record<string, unknown>) => ({
      schema: { summary, tags: [opts.tag], params, ...(querystring && { querystring }), response: { 200: response }, ...(hide && { hide: true }) },
    });
    app.get(path, doc(`Read one meta key of a ${opts.noun}`, meta), async (request) =>
      opts.handlers.get(principalOf(request), opts.ids(request), keyOf(request)),
    );
    app.post(path, doc(`Create one meta key of a ${opts.noun} (400 if it exists)`, meta, silentQuery), async (request) =>
      opts.handlers.create(principalOf(request), opts.ids(request), keyOf(request), request.body, writeOpts(request)),
    );
    app.put(path, doc(`Change one meta key of a ${opts.noun}`, meta, writeQuery), async (request) =>
      opts.handlers.update(principalOf(request), opts.ids(request), keyOf(request), request.body, writeOpts(request)),
    );
    app.delete(path, doc(`Delete one meta key of a ${opts.noun}`, message, silentQuery), async (request) =>
      opts.handlers.delete(principalOf(request), opts.ids(request), keyOf(request), writeOpts(request)),
    );
  }
}
