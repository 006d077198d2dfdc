import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../aam/principal.js';
import { createHostApi, type HostApiDeps, type RestCall } from './host-api.js';

function api(answer: (req: Parameters<RestCall>[1]) => { status: number; body: string }) {
  const calls: { p: Principal; req: Parameters<RestCall>[1] }[] = [];
  const rest: RestCall = async (p, req) => {
    calls.push({ p, req });
    return answer(req);
  };
  // The REST calls touch none of the services.
  const call = createHostApi({ rest: async () => rest } as unknown as HostApiDeps);
  return { call, calls };
}

describe('lynx.apiCall / apiCallRaw / getInstallation', () => {
  it('sends the request as the installation principal and decodes the answer', async () => {
    const { call, calls } = api(() => ({ status: 200, body: '[{"id":1}]' }));
    expect(await call(4, 'apiCall', ['get', '/api/v2/functionx/4?type=x'])).toEqual([{ id: 1 }]);
    expect(await call(4, 'apiCall', ['POST', 'api/v2/devicex/4', { type: 'd' }, { host: 'elsewhere' }])).toEqual([{ id: 1 }]);
    expect(await call(4, 'apiCall', ['PUT', 'https://lynx.example/api/v2/devicex/4/9?silent=1', '{"raw":true}'])).toEqual([{ id: 1 }]);
    expect(await call(4, 'apiCallRaw', ['/api/v2/status/4'])).toBe('[{"id":1}]');
    await call(4, 'getInstallation', []);
    expect(calls.map((c) => c.req)).toEqual([
      { method: 'GET', url: '/api/v2/functionx/4?type=x', body: undefined },
      { method: 'POST', url: '/api/v2/devicex/4', body: '{"type":"d"}' },
      { method: 'PUT', url: '/api/v2/devicex/4/9?silent=1', body: '{"raw":true}' },
      { method: 'GET', url: '/api/v2/status/4', body: undefined },
      { method: 'GET', url: '/api/v2/installation/4', body: undefined },
    ]);
    expect(calls[0]!.p.installationIds).toEqual(new Set([4]));
    expect(calls[0]!.p.permissions.has('functionx/list/assigned')).toBe(true);
    expect(calls[0]!.p.permissions.has('user/list/all')).toBe(false);
  });

  it('turns REST errors into messages and refuses what is not the Lynx API', async () => {
    const { call, calls } = api((req) => (req.url.includes('/9') ? { status: 404, body: '{"message":"installation 9 not found"}' } : { status: 502, body: 'bad gateway' }));
    await expect(call(4, 'apiCall', ['GET', '/api/v2/functionx/9'])).rejects.toThrow('installation 9 not found');
    await expect(call(4, 'apiCall', ['GET', '/api/v2/other'])).rejects.toThrow('HTTP 502: bad gateway');
    await expect(call(4, 'apiCall', ['GET', '/etc/passwd'])).rejects.toThrow(/Lynx API only/);
    await expect(call(4, 'apiCall', ['TRACE', '/api/v2/x'])).rejects.toThrow(/unsupported method/);
    await expect(call(4, 'apiCall', ['GET'])).rejects.toThrow(/path must be a string/);
    expect(calls).toHaveLength(2);
  });
});
