import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits, InstanceSupervisor } from './instance-supervisor.js';

const logger = pino({ level: 'silent' });
const running: InstanceSupervisor[] = [];

/** Runs `onStart` of `source` and resolves with what it published on obj/out (JSON). */
async function runApp(source: string, host: (op: string, args: unknown[]) => Promise<unknown> = async () => null): Promise<{ out: unknown; sup: InstanceSupervisor }> {
  let resolve!: (v: unknown) => void;
  const out = new Promise<unknown>((r) => (resolve = r));
  const sup = new InstanceSupervisor(
    { instanceId: 7, installationId: 3, clientId: 1003, appId: 1, version: 'v1', name: 'libs', config: {}, source },
    {
      host,
      publish: (topic, payload) => topic === 'obj/out' && resolve(JSON.parse(payload)),
      context: async () => ({ functions: [], devices: [], firstRun: false }),
      created: async () => {},
      logger,
    },
    { ...defaultLimits, maxRestarts: 0 },
  );
  running.push(sup);
  await sup.start();
  const result = await Promise.race([out, new Promise((_, reject) => setTimeout(() => reject(new Error(`no output; log: ${JSON.stringify(sup.logEntries())}`)), 10_000))]);
  return { out: result, sup };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

describe('edge-app libraries (spec 5.1)', () => {
  it('basexx encodes and decodes base64, url64 and hex byte for byte', async () => {
    const { out } = await runApp(`function onStart()
      local b = require('basexx')
      local bytes = string.char(0, 255, 128, 10) .. 'api-key:s3cret?'
      mq:pub('obj/out', json:encode({
        b64 = b.to_base64('api-key:s3cret'), pad1 = b.to_base64('ab'), pad2 = b.to_base64('a'),
        round = b.from_base64(b.to_base64(bytes)) == bytes, url = b.to_url64(string.char(251, 255)),
        urlRound = b.from_url64(b.to_url64(bytes)) == bytes, hex = b.to_hex(string.char(1, 171)),
        unhex = b.from_hex('4c7561'), bad = select(2, b.from_base64('***')), badHex = select(2, b.from_hex('abc')),
      }))
    end`);
    expect(out).toEqual({
      b64: Buffer.from('api-key:s3cret').toString('base64'),
      pad1: 'YWI=',
      pad2: 'YQ==',
      round: true,
      url: '-_8',
      urlRound: true,
      hex: '01AB',
      unhex: 'Lua',
      bad: expect.stringMatching(/invalid/),
      badHex: 'invalid hex string',
    });
  });

  it('http.request hands the request to the host and returns headers and a stream', async () => {
    const seen: unknown[] = [];
    const { out } = await runApp(
      `function onStart()
        local request = require('http.request')
        local req = request.new_from_uri('http://user:pw@192.168.1.20:8080/api/v2/x?a=1#frag')
        req.headers:upsert(':method', 'POST')
        req.headers:upsert('Authorization', 'Basic abc')
        req.headers:append('x-multi', '1')
        req.headers:append('x-multi', '2')
        req:set_body('{"a":1}')
        local headers, stream = req:go(5)
        local failed, err = request.new_from_uri('http://127.0.0.1:1/'):go(1)
        mq:pub('obj/out', json:encode({
          status = headers:get(':status'), ctype = headers:get('content-type'), body = stream:get_body_as_string(),
          host = req.host, port = req.port, tls = req.tls, failed = failed == nil, err = err,
        }))
      end`,
      async (op, args) => {
        seen.push({ op, request: args[0] });
        if ((args[0] as { url: string }).url.includes(':1/')) throw new Error('connect ECONNREFUSED');
        return { status: 201, headers: [['content-type', 'application/json']], body: '{"ok":true}' };
      },
    );
    expect(out).toEqual({ status: '201', ctype: 'application/json', body: '{"ok":true}', host: '192.168.1.20', port: 8080, tls: false, failed: true, err: 'connect ECONNREFUSED' });
    expect(seen[0]).toEqual({
      op: 'http',
      request: {
        method: 'POST',
        url: 'http://192.168.1.20:8080/api/v2/x?a=1',
        headers: [
          ['user-agent', 'lynx-edge-app'],
          ['authorization', 'Basic abc'],
          ['x-multi', '1'],
          ['x-multi', '2'],
        ],
        body: '{"a":1}',
        timeout: 5,
        followRedirects: true,
        maxRedirects: 5,
      },
    });
  });

  it('offers ev timers, reports ev.mqtt failures and other files with clear errors', async () => {
    const { out, sup } = await runApp(
      `local ev = require('ev')
      local mqtt = require('ev.mqtt')
      function onStart()
        local fired = 0
        local client = mqtt.new(ev, 'x')
        client:username_pw_set('api-key', 'k')
        local ok, mqttErr = client:connect('127.0.0.1', 1)
        local _, pubErr = client:pub('x/y', 'z')
        local _, subErr = client:sub('x/#')
        local _, fileErr = json:readfile('/etc/passwd')
        local gw = json:readfile('/etc/iot-open/iotopen.json')
        local found, missing = pcall(require, 'socket')
        local t = ev.Timer.new(function(loop, w)
          fired = fired + 1
          if fired == 3 then
            w:stop(loop)
            mq:pub('obj/out', json:encode({ fired = fired, mqtt = mqttErr, pub = pubErr, sub = subErr, file = fileErr, gw = gw, required = found,
              missing = missing, edge = require('edge') == edge, active = w:is_active() }))
          end
        end, 0.01, 0.01)
        t:start(ev.Loop.default)
      end`,
      async (op) => (op === 'gatewayInfo' ? { client_id: 1003, installation_id: 3, api: 'http://127.0.0.1:8080' } : null),
    );
    expect(out).toMatchObject({
      fired: 3,
      mqtt: expect.stringMatching(/^ev\.mqtt: .*ECONNREFUSED/),
      pub: 'ev.mqtt: not connected',
      sub: expect.stringMatching(/subscriptions are not available/),
      file: expect.stringMatching(/\/etc\/passwd is not available: edge apps on the server have no file system/),
      gw: { client_id: 1003, installation_id: 3, api: 'http://127.0.0.1:8080' },
      required: false,
      missing: expect.stringMatching(/module 'socket' not found/),
      edge: true,
      active: false,
    });
    expect(sup.logEntries().some((e) => e.level === 'error' && /ev\.mqtt/.test(e.message))).toBe(true);
  });
});
