// Runs one edge-app instance in its own worker thread and keeps what the UI reads about it: its
// state, the reason it stopped, and a ring buffer of its log. Guards: a callback running longer
// than `cpuMs` of CPU time (watched through the shared heartbeat and the worker thread's CPU clock,
// so a Lua loop that never yields is still seen), Lua allocations over `luaMemoryBytes` (an error inside Lua), the worker's JS heap
// (`resourceLimits`). A crashed instance is restarted with doubling backoff up to `maxRestarts`
// times, then left stopped with the reason.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from '../../../log.js';
import { validFilter, validTopic } from './lua-values.js';
import { heartbeatSlot, heartbeatSlots } from './protocol.js';
import { threadCpuMs } from './thread-cpu.js';
import { MqttPublisher, type PublisherOptions } from './mqtt-publisher.js';
import type { AppInfo, FromWorker, HostReply, LogLevel, ToWorker, WorkerInit } from './protocol.js';

export type InstanceState = 'starting' | 'running' | 'crashed' | 'stopped';

export interface InstanceSpec {
  instanceId: number;
  installationId: number;
  clientId: number;
  appId: number;
  version: string;
  name: string;
  config: unknown;
  source: string;
}

export interface InstanceContext {
  functions: unknown[];
  devices: unknown[];
  firstRun: boolean;
}

export interface SupervisorHooks {
  /** Executes a `lynx.*` call for this instance; rejections reach Lua as `nil, {message}`. */
  host(op: string, args: unknown[]): Promise<unknown>;
  /** `mq:pub` with the app's un-prefixed topic (already validated). */
  publish(topic: string, payload: string, retain: boolean, qos: 0 | 1 | 2): void;
  /** Fresh functions, devices and whether this is the first run, read before each start. */
  context(): Promise<InstanceContext>;
  /** Called once onCreate ran, so a restart does not run it again. */
  created(): Promise<void>;
  /** Opens an `ev.mqtt` connection (default: as asked); closed when the worker ends. */
  connectMqtt?(options: PublisherOptions): Promise<MqttPublisher>;
  logger: Logger;
}

/** `ev.mqtt` connections one run of an app may hold. */
const maxMqttClients = 4;

export interface RuntimeLimits {
  cpuMs: number;
  luaMemoryBytes: number;
  heapMb: number;
  maxRestarts: number;
  backoffMs: number;
  /** A run longer than this forgives earlier crashes. */
  stableMs: number;
  logSize: number;
  hostCallTimeoutMs: number;
  stopTimeoutMs: number;
  /** Bus messages queued for a busy app before further ones are dropped. */
  maxBacklog: number;
  /** `mq:pub` calls per second beyond which publishes are dropped. */
  maxPublishPerSecond: number;
}

export const defaultLimits: RuntimeLimits = {
  cpuMs: 2000,
  luaMemoryBytes: 32 * 1024 * 1024,
  heapMb: 64,
  maxRestarts: 3,
  backoffMs: 1000,
  stableMs: 60_000,
  logSize: 500,
  hostCallTimeoutMs: 30_000,
  stopTimeoutMs: 3000,
  maxBacklog: 1000,
  maxPublishPerSecond: 1000,
};

export interface LogEntry {
  /** Unix seconds. */
  time: number;
  level: LogLevel;
  message: string;
}

export interface InstanceStatus {
  state: InstanceState;
  reason: string | null;
  restarts: number;
  /** Unix seconds of the last start, or null. */
  started: number | null;
}

function workerEntry(): { script: URL | string; eval: boolean } {
  const built = new URL('./lua-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { script: built, eval: false };
  // Running from sources (specs): let tsx load the TypeScript worker.
  const source = new URL('./lua-worker.ts', import.meta.url).href;
  return { script: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`, eval: true };
}

interface Run {
  worker: Worker;
  heartbeat: Float64Array;
  signal: Int32Array;
  backlog: Int32Array;
  replies: MessagePort;
  watchdog: NodeJS.Timeout;
  startedAt: number;
  ending: boolean;
  stopRequested?: boolean;
  stopped?: () => void;
  mqtt: Map<number, MqttPublisher>;
  nextMqtt: number;
  /** The worker thread's CPU time when the watchdog first saw the running callback. */
  cpuMark?: { callback: number; cpuMs: number };
}

export class InstanceSupervisor {
  private state: InstanceState = 'stopped';
  private reason: string | null = null;
  private restarts = 0;
  private started: number | null = null;
  private run: Run | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly logs: LogEntry[] = [];
  private readonly filters = new Set<string>();
  private closed = false;
  /** Bumped by stop(): a start() still reading its context must not spawn afterwards. */
  private epoch = 0;
  private dropped = 0;
  private publishWindow = { second: 0, count: 0 };

  constructor(
    readonly spec: InstanceSpec,
    private readonly hooks: SupervisorHooks,
    private readonly limits: RuntimeLimits = defaultLimits,
  ) {}

  status(): InstanceStatus {
    return { state: this.state, reason: this.reason, restarts: this.restarts, started: this.started };
  }

  logEntries(limit = this.limits.logSize): LogEntry[] {
    return this.logs.slice(-limit);
  }

  /** True when the app subscribed to a filter matching this installation-relative topic. */
  wants(topic: string, match: (filter: string, topic: string) => boolean): boolean {
    if (this.state !== 'running' && this.state !== 'starting') return false;
    for (const f of this.filters) if (match(f, topic)) return true;
    return false;
  }

  send(message: ToWorker): void {
    if (this.run && !this.run.ending) this.run.worker.postMessage(message);
  }

  /** Hands a bus message to the app, or drops it while the app is behind by `maxBacklog` messages. */
  deliver(topic: string, payload: string, retained: boolean): void {
    const run = this.run;
    if (!run || run.ending) return;
    if (Atomics.load(run.backlog, 0) >= this.limits.maxBacklog) {
      if (this.dropped++ % 1000 === 0) this.log('warn', `the app is ${this.limits.maxBacklog} messages behind: dropping messages (${this.dropped} so far)`);
      return;
    }
    Atomics.add(run.backlog, 0, 1);
    run.worker.postMessage({ type: 'message', topic, payload, retained } satisfies ToWorker);
  }

  log(level: LogLevel, message: string): void {
    this.logs.push({ time: Date.now() / 1000, level, message });
    if (this.logs.length > this.limits.logSize) this.logs.splice(0, this.logs.length - this.limits.logSize);
  }

  async start(): Promise<void> {
    if (this.closed || this.run) return;
    this.clearRestart();
    const epoch = this.epoch;
    this.state = 'starting';
    this.reason = null;
    let context: InstanceContext;
    try {
      context = await this.hooks.context();
    } catch (err) {
      this.crash(`could not read the installation's functions and devices: ${(err as Error).message}`);
      return;
    }
    if (this.closed || this.run || epoch !== this.epoch) return;
    const heartbeat = new SharedArrayBuffer(8 * heartbeatSlots);
    const signal = new SharedArrayBuffer(4);
    const backlog = new SharedArrayBuffer(4);
    const channel = new MessageChannel();
    const app: AppInfo = { id: this.spec.instanceId, name: this.spec.name, installation_id: this.spec.installationId };
    const init: WorkerInit = {
      source: this.spec.source,
      config: this.spec.config,
      app,
      clientId: this.spec.clientId,
      functions: context.functions,
      devices: context.devices,
      firstRun: context.firstRun,
      luaMemoryBytes: this.limits.luaMemoryBytes,
      hostCallTimeoutMs: this.limits.hostCallTimeoutMs,
      heartbeat,
      signal,
      replyPort: channel.port2,
      backlog,
    };
    const entry = workerEntry();
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: init,
      transferList: [channel.port2],
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 16 },
      stdout: true,
      stderr: true,
    });
    worker.stdout.on('data', (d: Buffer) => this.log('info', d.toString().trimEnd()));
    worker.stderr.on('data', (d: Buffer) => this.log('warn', d.toString().trimEnd()));
    const run: Run = {
      worker,
      heartbeat: new Float64Array(heartbeat),
      signal: new Int32Array(signal),
      backlog: new Int32Array(backlog),
      replies: channel.port1,
      startedAt: Date.now(),
      ending: false,
      mqtt: new Map(),
      nextMqtt: 0,
      watchdog: setInterval(() => this.watch(run), Math.max(20, Math.min(250, this.limits.cpuMs / 4))),
    };
    run.watchdog.unref();
    this.run = run;
    this.filters.clear();
    this.started = Date.now() / 1000;
    this.log('info', `starting version ${this.spec.version}`);
    worker.on('message', (m: FromWorker) => this.onMessage(run, m, context.firstRun));
    worker.on('error', (err: Error & { code?: string }) =>
      this.crash(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the app ran out of memory (worker heap limit)' : `worker error: ${err.message}`, run),
    );
    worker.on('exit', (code) => {
      if (!run.ending) this.crash(`worker exited unexpectedly (code ${code})`, run);
      run.stopped?.();
    });
  }

  /**
   * The time limit. Where the worker thread's CPU clock is readable (Linux) it is CPU time used by
   * the running callback, so a busy machine does not stop an app that is merely waiting for a core;
   * otherwise wall time minus the time blocked on host calls. A callback that stays runnable five
   * times the limit without using the CPU is stopped too (a stuck worker).
   */
  private watch(run: Run): void {
    const since = run.heartbeat[heartbeatSlot.callbackStart]!;
    const callback = run.heartbeat[heartbeatSlot.callbackCount]!;
    const limit = this.limits.cpuMs;
    const cpuMs = threadCpuMs(run.heartbeat[heartbeatSlot.threadId]!);
    if (cpuMs !== null) {
      // Keyed by callback, not by `since`, which is 0 while the callback waits on a host call.
      if (run.cpuMark?.callback !== callback) run.cpuMark = { callback, cpuMs };
      else if (cpuMs - run.cpuMark.cpuMs > limit) return this.crash(`a callback used more than ${limit} ms of CPU time (CPU time limit)`, run);
      if (since && Date.now() - since > 5 * limit) this.crash(`a callback did not finish within ${5 * limit} ms (CPU time limit, wall time backstop)`, run);
      return;
    }
    if (since && Date.now() - since > limit) this.crash(`a callback ran longer than ${limit} ms (CPU time limit)`, run);
  }

  /** Asks the app to exit (onExit) or, when the instance was deleted, to clean up (onDestroy). */
  async stop(opts: { destroy?: boolean; reason?: string } = {}): Promise<void> {
    this.clearRestart();
    this.epoch++;
    const run = this.run;
    this.state = 'stopped';
    this.reason = opts.reason ?? null;
    if (!run) return;
    run.stopRequested = true;
    const exited = new Promise<void>((resolve) => {
      run.stopped = resolve;
    });
    run.worker.postMessage({ type: 'stop', destroy: opts.destroy ?? false } satisfies ToWorker);
    const timeout = setTimeout(() => this.end(run), this.limits.stopTimeoutMs);
    await exited;
    clearTimeout(timeout);
    this.log('info', opts.reason ?? 'stopped');
  }

  /** Records why the instance cannot run at all (no such version, installation gone). */
  fail(reason: string): void {
    this.state = 'stopped';
    this.reason = reason;
    this.log('error', reason);
  }

  /** Stops for good (server shutdown); no restarts after this. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop({ reason: 'server shut down' });
  }

  private onMessage(run: Run, m: FromWorker, firstRun: boolean): void {
    if (run !== this.run) return;
    switch (m.type) {
      case 'started':
        this.state = 'running';
        this.log('info', 'started');
        if (firstRun) this.hooks.created().catch((err: unknown) => this.hooks.logger.warn({ err }, 'could not record that onCreate ran'));
        break;
      case 'log':
        this.log(m.level, m.message);
        break;
      case 'sub':
        if (validFilter(m.filter)) this.filters.add(m.filter);
        else this.log('warn', `mq.sub: invalid topic filter ${JSON.stringify(m.filter)} ignored`);
        break;
      case 'unsub':
        this.filters.delete(m.filter);
        break;
      case 'pub': {
        if (!validTopic(m.topic)) {
          this.log('warn', `mq.pub: invalid topic ${JSON.stringify(m.topic)} ignored`);
          break;
        }
        const second = Math.floor(Date.now() / 1000);
        if (this.publishWindow.second !== second) this.publishWindow = { second, count: 0 };
        if (++this.publishWindow.count > this.limits.maxPublishPerSecond) {
          if (this.publishWindow.count === this.limits.maxPublishPerSecond + 1) this.log('warn', `more than ${this.limits.maxPublishPerSecond} publishes in a second: dropping the rest of this second's`);
          break;
        }
        const qos = m.qos === 1 || m.qos === 2 ? m.qos : 0;
        this.hooks.publish(m.topic, m.payload, m.retain, qos);
        break;
      }
      case 'call':
        (m.op.startsWith('mqtt') ? this.mqttCall(run, m.op, m.args) : this.hooks.host(m.op, m.args)).then(
          (value) => this.reply(run, { id: m.id, value: value ?? null }),
          (err: unknown) => this.reply(run, { id: m.id, error: err instanceof Error ? err.message : String(err) }),
        );
        break;
      case 'fatal':
        this.crash(/not enough memory/.test(m.message) ? `the app exceeded its memory limit (${m.message})` : m.message, run);
        break;
      case 'stopped':
        this.end(run);
        break;
    }
  }

  /** The `ev.mqtt` calls: connections belong to this run of the worker. */
  private async mqttCall(run: Run, op: string, args: unknown[]): Promise<unknown> {
    const [a, b, c, d] = args;
    if (op === 'mqttConnect') {
      if (run.mqtt.size >= maxMqttClients) throw new Error(`ev.mqtt: at most ${maxMqttClients} connections per app`);
      const o = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
      const options: PublisherOptions = {
        host: String(o.host ?? ''),
        port: Number(o.port ?? 1883),
        tls: o.tls === true,
        clientId: typeof o.clientId === 'string' ? o.clientId : `edge-app-${this.spec.instanceId}`,
        username: typeof o.username === 'string' ? o.username : undefined,
        password: typeof o.password === 'string' ? o.password : undefined,
        keepaliveSeconds: 60,
        timeoutMs: Math.min(10_000, this.limits.hostCallTimeoutMs),
      };
      const client = await (this.hooks.connectMqtt ?? MqttPublisher.connect)(options);
      if (run.ending) {
        client.close();
        throw new Error('ev.mqtt: the app stopped');
      }
      const id = ++run.nextMqtt;
      run.mqtt.set(id, client);
      return id;
    }
    const client = run.mqtt.get(Number(a));
    if (op === 'mqttDisconnect') {
      client?.close();
      run.mqtt.delete(Number(a));
      return true;
    }
    if (op === 'mqttPub') {
      if (!client) throw new Error('ev.mqtt: not connected');
      client.publish(String(b), String(c ?? ''), d === true);
      return true;
    }
    throw new Error(`unknown call ${op}`);
  }

  private reply(run: Run, reply: HostReply): void {
    if (run.ending) return;
    run.replies.postMessage(reply);
    Atomics.store(run.signal, 0, 1);
    Atomics.notify(run.signal, 0);
  }

  /** Ends a run's worker; safe to call more than once. */
  private end(run: Run): void {
    const first = !run.ending;
    run.ending = true;
    clearInterval(run.watchdog);
    run.replies.close();
    for (const client of run.mqtt.values()) client.close();
    run.mqtt.clear();
    if (this.run === run) this.run = null;
    if (first) void run.worker.terminate();
  }

  private crash(reason: string, run?: Run): void {
    if (run && (run.ending || run !== this.run)) return;
    const ranFor = run ? Date.now() - run.startedAt : 0;
    if (run) this.end(run);
    this.log('error', `crashed: ${reason}`);
    this.hooks.logger.warn({ instanceId: this.spec.instanceId, installationId: this.spec.installationId, reason }, 'edge app crashed');
    if (ranFor > this.limits.stableMs) this.restarts = 0;
    if (this.closed || run?.stopRequested) return;
    if (this.restarts >= this.limits.maxRestarts) {
      this.state = 'stopped';
      this.reason = `crashed ${this.restarts + 1} times, last: ${reason}`;
      this.log('error', 'not restarting again');
      return;
    }
    this.restarts++;
    this.state = 'crashed';
    this.reason = reason;
    const delay = this.limits.backoffMs * 2 ** (this.restarts - 1);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.start();
    }, delay);
    this.restartTimer.unref();
  }

  private clearRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }
}
