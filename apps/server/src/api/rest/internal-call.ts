// In-process REST requests on behalf of a server component (edge apps' `lynx.apiCall`, spec 5.3)
// as a principal it hands over, so they get exactly the REST API's answers and checks. The
// request goes through `app.inject` (never the network) and carries a random one-time id that
// `authenticate.ts` turns back into that principal: the id is only honoured on injected requests
// and only while its call is in flight, so nothing arriving on a socket can claim it.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../aam/principal.js';

const header = 'x-lynx-internal-call';
const inFlight = new Map<string, Principal>();

export interface InternalRequest {
  method: string;
  /** Path and query, e.g. `/api/v2/functionx/12?type=switch`. */
  url: string;
  /** Sent as JSON. */
  body?: string;
}

export interface InternalResponse {
  status: number;
  body: string;
  contentType?: string;
}

export type InternalCall = (p: Principal, request: InternalRequest) => Promise<InternalResponse>;

export function createInternalCaller(app: FastifyInstance): InternalCall {
  return async (p, request) => {
    const id = randomBytes(24).toString('base64url');
    inFlight.set(id, p);
    try {
      const res = await app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: { [header]: id, ...(request.body !== undefined && { 'content-type': 'application/json' }) },
        ...(request.body !== undefined && { payload: request.body }),
      });
      const type = res.headers['content-type'];
      return { status: res.statusCode, body: res.body, contentType: typeof type === 'string' ? type : undefined };
    } finally {
      inFlight.delete(id);
    }
  };
}

/** The principal of an in-process call, or undefined for every other request. */
export function internalPrincipal(request: FastifyRequest): Principal | undefined {
  const id = request.headers[header];
  if (typeof id !== 'string' || !(request.raw as { isLightMyRequest?: boolean }).isLightMyRequest) return undefined;
  return inFlight.get(id);
}
