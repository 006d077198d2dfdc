// Worker thread entry: one edge-app instance in its own Lua engine. Lua runs synchronously;
// host calls (lynx.*) block this thread on `Atomics.wait` until the main thread's reply is on the
// reply port, so apps see plain synchronous functions as on a gateway. Before each callback the
// start time goes into the shared heartbeat: the supervisor terminates a worker whose callback
// runs too long. Any error that escapes a callback ends the instance (reported as `fatal`).
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { LuaFactory } from 'wasmoon';
import { fromLua, fnmatch, toLua, topicMatches } from './lua-values.js';
import { prelude } from './prelude.js';
import { heartbeatSlot, type FromWorker, type HostReply, type LogLevel, type ToWorker, type WorkerInit } from './protocol.js';
import { currentThreadId } from './thread-cpu.js';

const init = workerData as WorkerInit;
const heartbeat = new Float64Array(init.heartbeat);
heartbeat[heartbeatSlot.threadId] = currentThreadId();
const signal = new Int32Array(init.signal);
const backlog = new Int32Array(init.backlog);
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

let depth = 0;
let stopping = false;
let nextCall = 0;
const timers = new Map<number, NodeJS.Timeout>();

function fatal(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  post({ type: 'fatal', message: message.slice(0, 2000) });
  // Nothing of this Lua state may run again (it may be out of memory half way through a change).
  process.exit(1);
}

/** Runs a Lua callback with the heartbeat set; an escaping error ends the instance. */
function guarded<T>(fn: () => T): T | undefined {
  if (depth === 0) {
    heartbeat[heartbeatSlot.callbackCount]! += 1;
    heartbeat[0] = Date.now();
  }
  depth++;
  try {
    return fn();
  } catch (err) {
    return fatal(err);
  } finally {
    depth--;
    if (depth === 0) heartbeat[0] = 0;
  }
}

function hostCall(op: string, args: unknown[]): { value?: unknown; error?: string } {
  const id = ++nextCall;
  Atomics.store(signal, 0, 0);
  post({ type: 'call', id, op, args: args.map((a) => fromLua(a)) });
  // Time spent waiting on the server is not the app's CPU time: the deadline moves by it.
  const started = heartbeat[0]!;
  const waitStart = Date.now();
  heartbeat[0] = 0;
  // The main thread ends an http request at its own timeout (capped the same way); a second more here.
  const deadline = waitStart + init.hostCallTimeoutMs + (op === 'http' ? 1000 : 0);
  let reply: HostReply | undefined;
  for (;;) {
    const m = receiveMessageOnPort(init.replyPort)?.message as HostReply | undefined;
    // A reply to an earlier call that timed out is skipped.
    if (m) {
      if (m.id === id) {
        reply = m;
        break;
      }
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    Atomics.wait(signal, 0, 0, left);
    Atomics.store(signal, 0, 0);
  }
  heartbeat[0] = started ? started + (Date.now() - waitStart) : 0;
  if (!reply) return { error: `host call ${op} timed out` };
  return reply.error !== undefined ? { error: reply.error } : { value: toLua(reply.value) };
}

const factory = new LuaFactory();
const engine = await factory.createEngine({ injectObjects: false, enableProxy: false, traceAllocations: true });
const lua = engine.global;

lua.set('__host', {
  clientId: init.clientId,
  log: (level: LogLevel, message: string) => post({ type: 'log', level, message: String(message).slice(0, 4000) }),
  sub: (filter: string) => post({ type: 'sub', filter }),
  unsub: (filter: string) => post({ type: 'unsub', filter }),
  pub: (topic: string, payload: string, retain: boolean, qos: number) => post({ type: 'pub', topic, payload, retain, qos }),
  call: (op: string, ...args: unknown[]) => hostCall(op, args),
  timerSet: (id: number, ms: number, repeat: boolean) => {
    const delay = Math.min(Math.max(Number(ms) || 0, 1), 2 ** 31 - 1);
    const fire = () => {
      if (stopping) return;
      if (!repeat) timers.delete(id);
      guarded(() => timerFn(id));
    };
    timers.set(id, repeat ? setInterval(fire, Math.max(delay, 10)) : setTimeout(fire, delay));
  },
  timerClear: (id: number) => {
    const t = timers.get(id);
    if (t) clearTimeout(t);
    timers.delete(id);
  },
  match: (filter: string, topic: string) => topicMatches(filter, topic),
  fnmatch: (pattern: string, value: string) => fnmatch(String(pattern), String(value)),
  jsonEncode: (value: unknown) => {
    try {
      return { value: JSON.stringify(fromLua(value)) ?? 'null' };
    } catch (err) {
      return { error: `json encode: ${(err as Error).message}` };
    }
  },
  jsonDecode: (text: unknown) => {
    try {
      return { value: toLua(JSON.parse(String(text))) };
    } catch (err) {
      return { error: `json decode: ${(err as Error).message}` };
    }
  },
  time: () => Date.now() / 1000,
  tick: () => performance.now() / 1000,
});
lua.set('cfg', toLua(init.config ?? {}));
lua.set('app', toLua(init.app));
lua.set('functions', toLua(init.functions));
engine.doStringSync(prelude);
const timerFn = lua.get('__edge_timer') as (id: number) => void;
const deliverFn = lua.get('__edge_deliver') as (topic: string, payload: string, retained: boolean) => void;
const devicesFn = lua.get('__edge_devices') as (list: unknown) => void;
for (const name of ['__edge_timer', '__edge_deliver', '__edge_devices']) lua.set(name, undefined);
devicesFn(toLua(init.devices));
// The allocation cap applies to the app, not to the engine and prelude set up above.
lua.setMemoryMax(lua.getMemoryUsed() + init.luaMemoryBytes);

function callback(name: string, ...args: unknown[]): void {
  const fn = lua.get(name) as unknown;
  if (typeof fn === 'function') guarded(() => (fn as (...a: unknown[]) => unknown)(...args));
}

port.on('message', (m: ToWorker) => {
  if (stopping) return;
  switch (m.type) {
    case 'message':
      Atomics.sub(backlog, 0, 1);
      guarded(() => deliverFn(m.topic, m.payload, m.retained));
      break;
    case 'functions':
      lua.set('functions', toLua(m.list));
      callback('onFunctionsUpdated');
      break;
    case 'devices':
      devicesFn(toLua(m.list));
      callback('onDevicesUpdated');
      break;
    case 'stop':
      callback(m.destroy ? 'onDestroy' : 'onExit');
      stopping = true;
      for (const t of timers.values()) clearTimeout(t);
      post({ type: 'stopped' });
      port.close();
      break;
  }
});

guarded(() => engine.doStringSync(init.source));
callback('onStart');
if (init.firstRun) callback('onCreate');
post({ type: 'started' });
