// The `lynx.*` calls of edge apps, executed on the main thread through the server's services as
// a principal bound to the instance's installation with the gateway permissions (the same reach
// as the edge client's own credential, spec 1.6): whatever ids an app passes, the services'
// AccessPolicy keeps it inside its installation.
import { gatewayPermissions } from '@lynx/shared';
import { BadRequestError, NotFoundError } from '../../../aam/errors.js';
import type { Principal } from '../../../aam/principal.js';
import type { AccessPolicy } from '../../../aam/services/access-policy.js';
import type { XObjectsService } from '../../../aam/services/x-objects.js';
import type { DataService } from '../../storage/data-service.js';
import type { EdgeRuntimeRepository, RuntimeInstanceRecord } from './repository.js';

/**
 * One in-process REST request as a principal (`lynx.apiCall`), served by the REST app itself so
 * apps get its exact answers; wired in `server.ts`, resolved once the REST app exists.
 */
export type RestCall = (p: Principal, request: { method: string; url: string; body?: string }) => Promise<{ status: number; body: string; contentType?: string }>;

/** Sends a notification through an output (spec 1.11); absent until notifications are wired. */
export type NotifyFn = (p: Principal, installationId: number, outputId: number, payload: Record<string, unknown>) => Promise<unknown>;

export interface HostApiDeps {
  policy: AccessPolicy;
  functions: XObjectsService;
  devices: XObjectsService;
  data: DataService;
  repo: EdgeRuntimeRepository;
  notify?: () => NotifyFn | undefined;
  rest?: () => Promise<RestCall>;
}

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** `/api/...` from a path or a URL: `iotcfg` and hosts are ignored, the call always reaches this server. */
function apiPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new BadRequestError('the path must be a string such as /api/v2/functionx/<installation id>');
  let path = value;
  if (/^https?:\/\//i.test(path)) {
    try {
      const url = new URL(path);
      path = url.pathname + url.search;
    } catch {
      throw new BadRequestError(`invalid URL ${JSON.stringify(value)}`);
    }
  }
  if (!path.startsWith('/')) path = `/${path}`;
  if (!/^\/+api\//.test(path)) throw new BadRequestError(`lynx.apiCall reaches the Lynx API only (/api/...), not ${JSON.stringify(value)}`);
  return path;
}

function restError(res: { status: number; body: string }): Error {
  let message = `HTTP ${res.status}`;
  try {
    const parsed = JSON.parse(res.body) as { message?: unknown };
    if (typeof parsed?.message === 'string') message = parsed.message;
  } catch {
    if (res.body) message = `${message}: ${res.body.slice(0, 200)}`;
  }
  return new Error(message);
}

function decoded(body: string): unknown {
  if (body === '') return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

// The gateway's keys plus sending through the installation's outputs, which `lynx.notify` does
// (spec 5.3); gateway credentials themselves do not carry it.
const permissions: ReadonlySet<string> = new Set([...gatewayPermissions, 'notification/output/send/assigned']);

export function installationPrincipal(installationId: number): Principal {
  return { userId: 0, email: '', roleId: null, tokenId: 0, permissions, organizationIds: [], installationIds: new Set([installationId]) };
}

function id(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new BadRequestError(`${what} must be a positive integer id`);
  return n;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new BadRequestError(`${what} must be a table`);
  return value as Record<string, unknown>;
}

function stringFilter(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(object(value, 'filter'))) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}

function instanceJson(r: RuntimeInstanceRecord) {
  let config: unknown = {};
  try {
    config = JSON.parse(r.config);
  } catch {
    // Stored by the instances service as JSON; an unreadable one is shown empty.
  }
  return { id: r.id, app_id: r.appId, installation_id: r.installationId, version: r.version, config, name: r.name, created: r.created, updated: r.updated };
}

/** Runs one call for an instance of `installationId`; rejects with a message for Lua. */
export function createHostApi(deps: HostApiDeps) {
  const x = (kind: 'functions' | 'devices') => deps[kind];
  return async function call(installationId: number, op: string, args: unknown[]): Promise<unknown> {
    const p = installationPrincipal(installationId);
    const [a, b] = args;
    switch (op) {
      case 'getFunctions':
      case 'getDevices':
        return x(op === 'getFunctions' ? 'functions' : 'devices').list(p, installationId, stringFilter(a));
      case 'createFunction':
      case 'createDevice':
        return x(op === 'createFunction' ? 'functions' : 'devices').create(p, installationId, { installation_id: installationId, ...object(a, 'the object') });
      case 'updateFunction':
      case 'updateDevice': {
        const body = object(a, 'the object');
        return x(op === 'updateFunction' ? 'functions' : 'devices').update(p, installationId, id(body.id, 'id'), body);
      }
      case 'deleteFunction':
      case 'deleteDevice': {
        const target = typeof a === 'object' && a !== null ? (a as { id?: unknown }).id : a;
        return x(op === 'deleteFunction' ? 'functions' : 'devices').delete(p, installationId, id(target, 'id'));
      }
      case 'getStatus':
        return deps.data.status(p, installationId);
      case 'getApps':
        deps.policy.require(p, 'edge/app/configured/list', installationId);
        return (await deps.repo.listForInstallation(installationId)).map(instanceJson);
      case 'downloadApp': {
        // Only apps configured on this installation: catalogue visibility is not the app's business.
        const appId = id(a, 'app id');
        const instances = await deps.repo.listForInstallation(installationId);
        const version = typeof b === 'string' ? b : instances.find((i) => i.appId === appId)?.version;
        const source = version !== undefined && instances.some((i) => i.appId === appId) ? await deps.repo.versionSource(appId, version) : null;
        if (!source) throw new NotFoundError(`edge app ${appId} version ${version ?? ''} not found`);
        return source.lua;
      }
      case 'notify': {
        const notify = deps.notify?.();
        if (!notify) throw new BadRequestError('notifications are not available on this server');
        return notify(p, installationId, id(a, 'output id'), object(b, 'payload'));
      }
      case 'apiCall':
      case 'apiCallRaw':
      case 'getInstallation': {
        const rest = await deps.rest?.();
        if (!rest) throw new BadRequestError(`lynx.${op} is not available on this server`);
        const method = op === 'apiCall' ? String(a ?? '').toUpperCase() : 'GET';
        if (!methods.has(method)) throw new BadRequestError(`lynx.apiCall: unsupported method ${JSON.stringify(a)} (GET, POST, PUT, PATCH or DELETE)`);
        const url = op === 'getInstallation' ? `/api/v2/installation/${installationId}` : apiPath(op === 'apiCall' ? b : a);
        const body = args[2];
        const payload = op !== 'apiCall' || body === null || body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const res = await rest(p, { method, url, body: payload });
        if (res.status >= 400) throw restError(res);
        return op === 'apiCallRaw' ? res.body : decoded(res.body);
      }
      default:
        throw new BadRequestError(`unknown call lynx.${op}`);
    }
  };
}
