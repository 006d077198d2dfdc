// The server-side edge-app runtime (spec 5): one supervised worker per configured instance. It is
// a stream processor on the bus (deliveries for `mq:sub`, and the `evt/functionx|devicex|edge_app`
// events that refresh `functions` or re-read instances) and the EdgeRuntimeControl the instances
// service calls after each change. Operations on one instance run one after another.
import type { AccessPolicy } from '../../../aam/services/access-policy.js';
import { NotFoundError } from '../../../aam/errors.js';
import type { InstallationIndex } from '../../../aam/installation-index.js';
import type { Principal } from '../../../aam/principal.js';
import type { XObjectsService } from '../../../aam/services/x-objects.js';
import type { AamDb } from '../../../aam/store/open-store.js';
import type { Logger } from '../../../log.js';
import type { DataService } from '../../storage/data-service.js';
import type { BusMessage, StreamProcessor } from '../../types.js';
import type { EdgeRuntimeControl } from '../runtime-control.js';
import { createHostApi, installationPrincipal, type NotifyFn } from './host-api.js';
import { defaultLimits, InstanceSupervisor, type LogEntry, type RuntimeLimits } from './instance-supervisor.js';
import { topicMatches } from './lua-values.js';
import { EdgeRuntimeRepository, type RuntimeInstanceRecord } from './repository.js';

export interface EdgeRuntimeDeps {
  db: AamDb;
  index: InstallationIndex;
  policy: AccessPolicy;
  /** Late-bound: the runtime is built with the services it calls. */
  services: () => { functions: XObjectsService; devices: XObjectsService; data: DataService };
  /** Publishes on the bus (full topic, `<client_id>/...`). */
  publish: (topic: string, payload: string, opts: { qos: 0 | 1 | 2; retain: boolean }) => Promise<void>;
  notify?: () => NotifyFn | undefined;
  logger: Logger;
  limits?: Partial<RuntimeLimits>;
}

export interface EdgeInstanceStatus {
  instance_id: number;
  installation_id: number;
  app_id: number;
  version: string;
  state: 'starting' | 'running' | 'crashed' | 'stopped';
  reason: string | null;
  restarts: number;
  started: number | null;
}

interface Managed {
  supervisor: InstanceSupervisor;
  fingerprint: string;
}

const fingerprint = (r: RuntimeInstanceRecord) => JSON.stringify([r.appId, r.version, r.config, r.name, r.updated]);

export class EdgeRuntime implements StreamProcessor, EdgeRuntimeControl {
  readonly name = 'edge-apps';
  private readonly repo: EdgeRuntimeRepository;
  private readonly limits: RuntimeLimits;
  private hostApi: ReturnType<typeof createHostApi> | undefined;
  private readonly managed = new Map<number, Managed>();
  private readonly queues = new Map<number, Promise<void>>();
  private readonly refreshes = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly deps: EdgeRuntimeDeps) {
    this.repo = new EdgeRuntimeRepository(deps.db);
    this.limits = { ...defaultLimits, ...deps.limits };
  }

  private host(installationId: number, op: string, args: unknown[]): Promise<unknown> {
    this.hostApi ??= createHostApi({ policy: this.deps.policy, ...this.deps.services(), repo: this.repo, notify: this.deps.notify });
    return this.hostApi(installationId, op, args);
  }

  /** Starts every configured instance (their installations exist: the rows cascade with them). */
  async start(): Promise<void> {
    const records = await this.repo.listAll();
    await Promise.all(records.map((r) => this.enqueue(r.id, () => this.sync(r.id, r))));
    if (records.length) this.deps.logger.info({ instances: records.length }, 'edge apps started');
  }

  instanceChanged(_installationId: number, instanceId: number): void {
    void this.enqueue(instanceId, () => this.sync(instanceId));
  }

  /** The installation is gone with its instances: stop them without onDestroy (nothing to clean). */
  installationDeleted(installationId: number): void {
    for (const [id, m] of this.managed) {
      if (m.supervisor.spec.installationId !== installationId) continue;
      void this.enqueue(id, async () => {
        this.managed.delete(id);
        await m.supervisor.close();
      });
    }
  }

  handle(message: BusMessage): void {
    if (this.closed) return;
    const { installationId, topic } = message;
    if (topic === 'evt/functionx/updated' || topic === 'evt/devicex/updated') this.scheduleRefresh(installationId, topic === 'evt/functionx/updated' ? 'functions' : 'devices');
    else if (topic === 'evt/edge_app/updated') void this.syncInstallation(installationId);
    let payload: string | undefined;
    for (const { supervisor } of this.managed.values()) {
      if (supervisor.spec.installationId !== installationId || !supervisor.wants(topic, topicMatches)) continue;
      payload ??= message.payload.toString('utf8');
      supervisor.deliver(topic, payload, message.retain);
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.refreshes.values()) clearTimeout(t);
    await Promise.all([...this.managed.values()].map((m) => m.supervisor.close()));
    this.managed.clear();
  }

  async instanceStatus(p: Principal, installationId: number, instanceId: number): Promise<EdgeInstanceStatus> {
    const record = await this.visibleInstance(p, installationId, instanceId);
    const m = this.managed.get(instanceId);
    const status = m?.supervisor.status() ?? { state: 'stopped' as const, reason: 'not started', restarts: 0, started: null };
    return { instance_id: record.id, installation_id: record.installationId, app_id: record.appId, version: record.version, ...status };
  }

  async instanceLogs(p: Principal, installationId: number, instanceId: number, limit?: number): Promise<LogEntry[]> {
    await this.visibleInstance(p, installationId, instanceId);
    return this.managed.get(instanceId)?.supervisor.logEntries(limit) ?? [];
  }

  private async visibleInstance(p: Principal, installationId: number, instanceId: number): Promise<RuntimeInstanceRecord> {
    this.deps.policy.require(p, 'edge/app/configured/list', installationId);
    const record = await this.repo.get(instanceId);
    if (!record || record.installationId !== installationId) throw new NotFoundError(`edge app instance ${instanceId} not found`);
    return record;
  }

  private enqueue(instanceId: number, task: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(instanceId) ?? Promise.resolve()).then(task).catch((err: unknown) => {
      this.deps.logger.error({ err, instanceId }, 'edge app instance update failed');
    });
    this.queues.set(instanceId, next);
    void next.then(() => {
      if (this.queues.get(instanceId) === next) this.queues.delete(instanceId);
    });
    return next;
  }

  private async syncInstallation(installationId: number): Promise<void> {
    const records = await this.repo.listForInstallation(installationId);
    const ids = new Set(records.map((r) => r.id));
    for (const r of records) void this.enqueue(r.id, () => this.sync(r.id, r));
    for (const [id, m] of this.managed) if (m.supervisor.spec.installationId === installationId && !ids.has(id)) void this.enqueue(id, () => this.sync(id));
  }

  /** Brings one instance in line with its row: start, restart with new settings, or destroy. */
  private async sync(instanceId: number, known?: RuntimeInstanceRecord): Promise<void> {
    if (this.closed) return;
    const record = known ?? (await this.repo.get(instanceId));
    const current = this.managed.get(instanceId);
    if (!record) {
      if (!current) return;
      this.managed.delete(instanceId);
      await current.supervisor.stop({ destroy: true, reason: 'instance deleted' });
      await this.repo.forget(instanceId);
      return;
    }
    if (current?.fingerprint === fingerprint(record)) return;
    if (current) await current.supervisor.stop({ reason: 'restarting with the changed configuration' });
    if (this.closed) return;
    await this.launch(record);
  }

  private async launch(record: RuntimeInstanceRecord): Promise<void> {
    const installation = this.deps.index.byId(record.installationId);
    let config: unknown = {};
    try {
      config = JSON.parse(record.config);
    } catch {
      // An unreadable config reaches the app as an empty table.
    }
    const source = installation ? await this.repo.versionSource(record.appId, record.version) : null;
    const installationId = record.installationId;
    const log = this.deps.logger.child({ edgeApp: record.id, installationId });
    const supervisor: InstanceSupervisor = new InstanceSupervisor(
      {
        instanceId: record.id,
        installationId,
        clientId: installation?.clientId ?? 0,
        appId: record.appId,
        version: record.version,
        name: record.name,
        config,
        source: source?.lua ?? '',
      },
      {
        host: (op, args) => this.host(installationId, op, args),
        publish: (topic, payload, retain, qos) => {
          const clientId = this.deps.index.byId(installationId)?.clientId;
          if (clientId === undefined) return;
          this.deps.publish(`${clientId}/${topic}`, payload, { qos, retain }).catch((err: unknown) => supervisor.log('warn', `mq.pub ${topic} failed: ${(err as Error).message}`));
        },
        context: async () => {
          const p = installationPrincipal(installationId);
          const [functions, devices, created] = await Promise.all([
            this.deps.services().functions.list(p, installationId),
            this.deps.services().devices.list(p, installationId),
            this.repo.wasCreated(record.id),
          ]);
          return { functions, devices, firstRun: !created };
        },
        created: () => this.repo.markCreated(record.id),
        logger: log,
      },
      this.limits,
    );
    this.managed.set(record.id, { supervisor, fingerprint: fingerprint(record) });
    if (!installation) supervisor.fail(`installation ${installationId} not found`);
    else if (!source) supervisor.fail(`version ${JSON.stringify(record.version)} of edge app ${record.appId} not found`);
    else await supervisor.start();
  }

  /** Functions/devices changed: coalesce a burst of events into one re-read per installation. */
  private scheduleRefresh(installationId: number, kind: 'functions' | 'devices'): void {
    const key = `${installationId}:${kind}`;
    if (this.refreshes.has(key)) return;
    const timer = setTimeout(() => {
      this.refreshes.delete(key);
      void this.refresh(installationId, kind);
    }, 50);
    timer.unref();
    this.refreshes.set(key, timer);
  }

  private async refresh(installationId: number, kind: 'functions' | 'devices'): Promise<void> {
    const targets = [...this.managed.values()].filter((m) => m.supervisor.spec.installationId === installationId && ['running', 'starting'].includes(m.supervisor.status().state));
    if (targets.length === 0 || !this.deps.index.byId(installationId)) return;
    try {
      const list = await this.deps.services()[kind].list(installationPrincipal(installationId), installationId);
      for (const { supervisor } of targets) supervisor.send({ type: kind, list });
    } catch (err) {
      this.deps.logger.warn({ err, installationId }, `refreshing ${kind} for edge apps failed`);
    }
  }
}
