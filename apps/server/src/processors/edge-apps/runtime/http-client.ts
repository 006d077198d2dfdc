// Outgoing HTTP for edge apps (`require("http.request")`, spec 5.1), run on the main thread: the
// app's worker is blocked in Atomics.wait while Lua waits for the answer, so its own event loop
// could never complete a fetch. An on-premise gateway talks to its LAN, so loopback and private
// addresses are allowed; what processors/outbound refuses (link-local with cloud metadata,
// multicast, unspecified) is refused here too, on the address actually connected to.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BadRequestError } from '../../../aam/errors.js';
import { assertAllowedLiteral, ForbiddenAddressError, guardedLookup } from '../../outbound/address-policy.js';

export interface AppHttpRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
  timeoutMs: number;
  followRedirects: boolean;
  maxRedirects: number;
}

export interface AppHttpResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

/** A response body larger than this is cut off with an error (it would live in the app's Lua memory). */
export const maxResponseBytes = 8 * 1024 * 1024;

/** The outbound address policy, as the app's error. */
function refused(err: unknown): unknown {
  return err instanceof ForbiddenAddressError ? new BadRequestError(`http: ${err.message}`) : err;
}

function once(req: AppHttpRequest, url: URL, deadline: number): Promise<AppHttpResponse> {
  try {
    assertAllowedLiteral(url);
  } catch (err) {
    return Promise.reject(refused(err));
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of req.headers) {
    const key = k.toLowerCase();
    if (key.startsWith(':')) continue;
    const prev = headers[key];
    headers[key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const left = Math.max(1, deadline - Date.now());
    const r = send(url, { method: req.method, headers, lookup: guardedLookup, timeout: left }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxResponseBytes) {
          r.destroy(new Error(`http: response body over ${maxResponseBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => r.destroy(new Error(`http: no answer within ${Math.round(req.timeoutMs / 1000)} s`)), left);
    r.on('close', () => clearTimeout(timer));
    r.on('timeout', () => r.destroy(new Error(`http: no answer within ${Math.round(req.timeoutMs / 1000)} s`)));
    r.on('error', (err) => reject(refused(err)));
    r.end(req.body);
  });
}

function flatten(headers: IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push([k, one]);
  }
  return out;
}

/** Performs an app's request, following redirects as lua-http does (same checks on every hop). */
export async function appHttp(req: AppHttpRequest): Promise<AppHttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new BadRequestError(`http: invalid URI ${JSON.stringify(req.url)}`);
  }
  const deadline = Date.now() + req.timeoutMs;
  let current = req;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequestError(`http: unsupported scheme ${url.protocol}`);
    const res = await once(current, url, deadline);
    const location = res.headers.find(([k]) => k === 'location')?.[1];
    if (!current.followRedirects || !location || ![301, 302, 303, 307, 308].includes(res.status)) return res;
    if (hop >= current.maxRedirects) throw new BadRequestError(`http: more than ${current.maxRedirects} redirects`);
    const next = new URL(location, url);
    // Credentials are for the origin they were written for, as lua-http and browsers do.
    if (next.origin !== url.origin) current = { ...current, headers: current.headers.filter(([k]) => !['authorization', 'cookie'].includes(k.toLowerCase())) };
    url = next;
    // 303 (and 301/302 after POST, as browsers do) continue as a GET without the body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && current.method === 'POST')) current = { ...current, method: 'GET', body: undefined };
  }
}

/** The request table the prelude's `req:go()` hands over, checked (it comes from the app). */
export function appHttpRequest(value: unknown, maxTimeoutMs: number): AppHttpRequest {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof v.url !== 'string') throw new BadRequestError('http: the request has no URI');
  const method = typeof v.method === 'string' && /^[A-Za-z]+$/.test(v.method) ? v.method.toUpperCase() : 'GET';
  const headers: [string, string][] = [];
  if (Array.isArray(v.headers)) {
    for (const h of v.headers) if (Array.isArray(h) && typeof h[0] === 'string' && h[1] !== undefined && h[1] !== null) headers.push([h[0], String(h[1])]);
  }
  const seconds = typeof v.timeout === 'number' && v.timeout > 0 ? v.timeout : maxTimeoutMs / 1000;
  const maxRedirects = typeof v.maxRedirects === 'number' && v.maxRedirects >= 0 ? Math.min(v.maxRedirects, 20) : 5;
  return {
    method,
    url: v.url,
    headers,
    body: typeof v.body === 'string' ? v.body : undefined,
    timeoutMs: Math.min(seconds * 1000, maxTimeoutMs),
    followRedirects: v.followRedirects !== false,
    maxRedirects,
  };
}
