import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits, InstanceSupervisor, type InstanceSpec, type RuntimeLimits } from './instance-supervisor.js';
import { topicMatches } from './lua-values.js';

const logger = pino({ level: 'silent' });
const running: InstanceSupervisor[] = [];

function spec(source: string, config: unknown = {}): InstanceSpec {
  return { instanceId: 7, installationId: 3, clientId: 1003, appId: 1, version: 'v1', name: 'test', config, source };
}

function supervise(source: string, opts: { limits?: Partial<RuntimeLimits>; config?: unknown; host?: (op: string, args: unknown[]) => Promise<unknown> } = {}) {
  const published: { topic: string; payload: string }[] = [];
  const sup = new InstanceSupervisor(
    spec(source, opts.config),
    {
      host: opts.host ?? (async (op) => ({ op })),
      publish: (topic, payload) => published.push({ topic, payload }),
      context: async () => ({ functions: [{ id: 5, type: 'temperature', meta: { name: 'kitchen temp', topic_read: 'obj/t' } }], devices: [], firstRun: true }),
      created: async () => {},
      logger,
    },
    { ...defaultLimits, backoffMs: 50, ...opts.limits },
  );
  running.push(sup);
  return { sup, published };
}

async function until<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

describe('InstanceSupervisor', () => {
  it('runs onStart and onCreate with cfg, app, functions and the packages', async () => {
    const { sup, published } = supervise(
      `function onStart()
         local f = edge.findFunction({ type = 'temp*' })
         mq:pub('obj/out', json:encode({ n = cfg.n, app = app.id, fn = f.id, list = {1, 2} }))
         log.i('started %d', cfg.n)
       end
       function onCreate() mq.pub('obj/created', 'yes') end`,
      { config: { n: 42 } },
    );
    await sup.start();
    await until(() => published.length === 2, 'two publishes');
    expect(JSON.parse(published[0]!.payload)).toEqual({ n: 42, app: 7, fn: 5, list: [1, 2] });
    expect(published[1]).toEqual({ topic: 'obj/created', payload: 'yes' });
    await until(() => sup.status().state === 'running', 'running');
    expect(sup.logEntries().map((e) => e.message)).toContain('started 42');
  });

  it('makes host calls look synchronous and returns errors as nil, {message}', async () => {
    const { sup, published } = supervise(
      `function onStart()
         local v = lynx.getFunctions({ type = 'x' })
         local none, err = lynx.deleteFunction(9)
         mq:pub('obj/r', json:encode({ v = v, err = err.message }))
       end`,
      { host: async (op, args) => (op === 'deleteFunction' ? Promise.reject(new Error('function 9 not found')) : { op, args }) },
    );
    await sup.start();
    await until(() => published.length === 1, 'publish');
    expect(JSON.parse(published[0]!.payload)).toEqual({ v: { op: 'getFunctions', args: [{ type: 'x' }] }, err: 'function 9 not found' });
  });

  it('delivers subscribed messages to bound handlers and runs timers', async () => {
    const { sup, published } = supervise(
      `function onStart()
         mq:sub('obj/+/in')
         mq:bind('obj/#', function(topic, payload) mq:pub('obj/echo', topic .. '=' .. payload) end)
         local n = 0
         local t
         t = timer:interval(0.02, function() n = n + 1 if n == 3 then t:cancel() mq:pub('obj/ticks', tostring(n)) end end)
       end`,
    );
    await sup.start();
    await until(() => sup.status().state === 'running', 'running');
    expect(sup.wants('obj/a/in', topicMatches)).toBe(true);
    expect(sup.wants('obj/a/out', topicMatches)).toBe(false);
    sup.deliver('obj/a/in', '21', false);
    await until(() => published.some((p) => p.topic === 'obj/echo') && published.some((p) => p.topic === 'obj/ticks'), 'echo and ticks');
    expect(published.find((p) => p.topic === 'obj/echo')!.payload).toBe('obj/a/in=21');
    expect(published.find((p) => p.topic === 'obj/ticks')!.payload).toBe('3');
  });

  it('terminates a callback that loops, restarts with backoff, then leaves it stopped with the reason', async () => {
    const { sup } = supervise('function onStart() while true do end end', { limits: { cpuMs: 200, maxRestarts: 2 } });
    await sup.start();
    const status = await until(() => (sup.status().state === 'stopped' ? sup.status() : undefined), 'stopped');
    expect(status.reason).toMatch(/crashed 3 times, last: .*CPU time limit/);
    expect(sup.logEntries().filter((e) => e.message.startsWith('crashed:'))).toHaveLength(3);
  });

  it('stops an app that allocates past its memory limit', async () => {
    const { sup } = supervise('local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 100) .. i end', { limits: { luaMemoryBytes: 4 * 1024 * 1024, maxRestarts: 0 } });
    await sup.start();
    const status = await until(() => (sup.status().state === 'stopped' ? sup.status() : undefined), 'stopped');
    expect(status.reason).toMatch(/memory limit/);
  });

  it('reports a Lua error with its message', async () => {
    const { sup } = supervise('function onStart() local x = nil; x.y = 1 end', { limits: { maxRestarts: 0 } });
    await sup.start();
    const status = await until(() => (sup.status().state === 'stopped' ? sup.status() : undefined), 'stopped');
    expect(status.reason).toMatch(/attempt to index a nil value/);
  });

  it('runs onDestroy when the instance is deleted', async () => {
    const { sup, published } = supervise(`function onDestroy() mq:pub('obj/bye', 'x') end`);
    await sup.start();
    await until(() => sup.status().state === 'running', 'running');
    await sup.stop({ destroy: true, reason: 'deleted' });
    expect(published).toEqual([{ topic: 'obj/bye', payload: 'x' }]);
    expect(sup.status()).toMatchObject({ state: 'stopped', reason: 'deleted' });
  });

  it('refreshes functions before onFunctionsUpdated and runs onExit when stopped', async () => {
    const { sup, published } = supervise(
      `function onFunctionsUpdated() mq:pub('obj/n', tostring(#functions) .. ':' .. edge.findFunction({ name = '*hall*' }).id) end
       function onExit() mq:pub('obj/exit', 'bye') end`,
    );
    await sup.start();
    await until(() => sup.status().state === 'running', 'running');
    sup.send({ type: 'functions', list: [{ id: 1, type: 'a', meta: { name: 'x' } }, { id: 2, type: 'b', meta: { name: 'the hallway' } }] });
    await until(() => published.length === 1, 'publish');
    expect(published[0]).toEqual({ topic: 'obj/n', payload: '2:2' });
    await sup.stop();
    expect(published[1]).toEqual({ topic: 'obj/exit', payload: 'bye' });
  });

  it('drops publishes beyond the rate limit and messages beyond the backlog', async () => {
    const { sup, published } = supervise(
      `function onStart()
         mq:sub('obj/in')
         mq:bind('obj/in', function() local t = os.clock() while os.clock() - t < 0.02 do end end)
         for i = 1, 500 do mq:pub('obj/flood', tostring(i)) end
       end`,
      { limits: { maxPublishPerSecond: 50, maxBacklog: 5 } },
    );
    await sup.start();
    await until(() => sup.status().state === 'running', 'running');
    expect(published.length).toBeGreaterThan(0);
    expect(published.length).toBeLessThanOrEqual(100);
    for (let i = 0; i < 50; i++) sup.deliver('obj/in', String(i), false);
    const messages = sup.logEntries().map((e) => e.message);
    expect(messages.some((m) => m.includes('publishes in a second'))).toBe(true);
    expect(messages.some((m) => m.includes('messages behind'))).toBe(true);
  });

  it('gives Lua an error for a host call that does not answer, and the app goes on', async () => {
    const { sup, published } = supervise(
      `function onStart()
         local v, err = lynx.getStatus()
         mq:pub('obj/r', tostring(v) .. ' ' .. err.message)
       end`,
      { host: () => new Promise(() => {}), limits: { hostCallTimeoutMs: 100 } },
    );
    await sup.start();
    await until(() => published.length === 1, 'publish');
    expect(published[0]!.payload).toBe('nil host call getStatus timed out');
    await until(() => sup.status().state === 'running', 'running');
  });
});
