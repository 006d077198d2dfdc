// One outgoing HTTP(S) POST through the address policy. node:http rather than fetch because its
// `lookup` hook is where the policy can see the address actually connected to.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { assertAllowedLiteral, guardedLookup } from './address-policy.js';

export interface PostResult {
  status: number;
  /** The start of the body, for error messages. */
  text: string;
}

export function postJson(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<PostResult> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    assertAllowedLiteral(url);
    const req = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guardedLookup, signal },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          // Only the start is kept: a receiver answering with megabytes must not fill memory.
          if (size < 4096) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8', 0, Math.min(size, 4096)) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
