import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHttp, appHttpRequest } from './http-client.js';

let server: Server;
let base: string;
const received: { url?: string; method?: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url, method: req.method, headers: req.headers, body });
      if (req.url === '/moved') {
        res.writeHead(303, { location: '/target' });
        res.end();
      } else if (req.url === '/away') {
        // Same server under another origin (localhost vs 127.0.0.1): credentials must not follow.
        res.writeHead(302, { location: base.replace('127.0.0.1', 'localhost') + '/target' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ got: req.url }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

const request = (over: Record<string, unknown>) => appHttpRequest({ url: `${base}/x`, headers: [], ...over }, 5000);

describe('edge-app http', () => {
  it('sends the request and returns status, headers (repeated ones kept) and body', async () => {
    const res = await appHttp(request({ method: 'post', url: `${base}/x?q=1`, headers: [['Authorization', 'Basic abc'], ['x-a', '1']], body: '{"v":1}' }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ got: '/x?q=1' });
    expect(res.headers.filter(([k]) => k === 'set-cookie').map(([, v]) => v)).toEqual(['a=1', 'b=2']);
    const last = received.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', body: '{"v":1}', headers: { authorization: 'Basic abc', 'x-a': '1' } });
  });

  it('follows redirects (303 as GET), keeps credentials on the same origin only, or returns them when asked not to follow', async () => {
    const res = await appHttp(request({ method: 'POST', url: `${base}/moved`, body: 'x', headers: [['authorization', 'Basic abc']] }));
    expect(JSON.parse(res.body)).toEqual({ got: '/target' });
    expect(received.at(-1)).toMatchObject({ method: 'GET', body: '', headers: { authorization: 'Basic abc' } });
    await appHttp(request({ url: `${base}/away`, headers: [['authorization', 'Basic abc']] }));
    expect(received.at(-1)!.headers.authorization).toBeUndefined();
    const notFollowed = await appHttp(request({ url: `${base}/moved`, followRedirects: false }));
    expect(notFollowed.status).toBe(303);
  });

  it('refuses link-local and metadata addresses, by literal and through a redirect', async () => {
    await expect(appHttp(request({ url: 'http://169.254.169.254/latest/meta-data/' }))).rejects.toThrow(/link-local/);
    await expect(appHttp(request({ url: 'http://[fe80::1]:8080/' }))).rejects.toThrow(/link-local/);
    await expect(appHttp(request({ url: 'ftp://example.org/' }))).rejects.toThrow(/unsupported scheme/);
    await expect(appHttp(request({ url: 'not a uri' }))).rejects.toThrow(/invalid URI/);
  });

  it('caps the timeout at the host call limit', () => {
    expect(appHttpRequest({ url: base, timeout: 600 }, 5000).timeoutMs).toBe(5000);
    expect(appHttpRequest({ url: base, timeout: 1.5 }, 5000).timeoutMs).toBe(1500);
  });
});
