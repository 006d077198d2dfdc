// The server-side edge-app runtime (spec 5): one supervised worker per configured instance. It is
// a stream processor on the bus (deliveries for `mq:sub`, and the `evt/functionx|devicex|edge_app`
// events that refresh `functions` or re-read instances) and the EdgeRuntimeControl the instances
// service calls after each change. Operations on one instance run one after another.
// In a cluster the instances run on the node owning `edge-apps` (cluster/leases.ts): it starts them
// all on gaining the lease and stops them (without onDestroy) on losing it; other nodes run none.
import { singleNodeOwnership, type WorkOwnership } from '../../../cluster/leases.js';
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
import { createHostApi, installationPrincipal, type NotifyFn, type RestCall } from './host-api.js';
import { appHttp, appHttpRequest } from './http-client.js';
import { MqttPublisher, type PublisherOptions } from './mqtt-publisher.js';
import { defaultLimits, InstanceSupervisor, type InstanceStatus, type LogEntry, type RuntimeLimits } from './instance-supervisor.js';
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
  /** In-process REST calls for `lynx.apiCall`; resolves once the REST app exists. */
  rest?: () => Promise<RestCall>;
  /** This server's REST URL and MQTT `host:port` as gateways see them (iotopen.json); resolves once listening. */
  endpoints?: () => Promise<{ api: string; mqttBroker: string }>;
  logger: Logger;
  limits?: Partial<RuntimeLimits>;
  /** Instances beyond this many are not started (each is a worker thread with its own Lua). */
  maxInstances?: number;
  /** Which node runs the instances in a cluster; default: this server. */
  ownership?: WorkOwnership;
  /** Cluster: where the owner posts instance statuses for the other nodes (cluster/edge-status-board.ts). */
  statusBoard?: EdgeStatusBoard;
}

export interface EdgeStatusBoard {
  /** null removes the entry. */
  write(installationId: number, instanceId: number, status: InstanceStatus | null): Promise<void>;
  read(installationId: number, instanceId: number): Promise<InstanceStatus | null>;
}

/** The lease of server-side edge-app instances. */
export const edgeAppsWork = 'edge-apps';

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
  private reconcileTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  /** What this node last wrote to the status board, per instance. */
  private readonly posted = new Map<number, { installationId: number; json: string }>();
  private closed = false;
  private readonly ownership: WorkOwnership;
  private unsubscribe = () => {};

  constructor(private readonly deps: EdgeRuntimeDeps) {
    this.repo = new EdgeRuntimeRepository(deps.db);
    this.limits = { ...defaultLimits, ...deps.limits };
    this.ownership = deps.ownership ?? singleNodeOwnership();
  }

  private owner(): boolean {
    return this.ownership.owns(edgeAppsWork);
  }

  /** Gained: start every instance; lost: stop ours at once, the new owner starts them. */
  private ownershipChanged(owned: boolean): void {
    if (this.closed) return;
    if (owned) {
      void this.repo
        .listAll()
        .then((records) => records.forEach((r) => void this.enqueue(r.id, () => this.sync(r.id, r))))
        .catch((err: unknown) => this.deps.logger.error({ err }, 'starting edge apps after gaining the lease failed'));
      return;
    }
    // The new owner overwrites the entries; this node must not delete them as its instances stop.
    this.posted.clear();
    for (const id of this.managed.keys()) void this.enqueue(id, () => this.sync(id));
  }

  /** Owner only: writes the statuses that changed since the last pass, removes those no longer run here. */
  private postStatuses(): void {
    const board = this.deps.statusBoard;
    if (!board || this.closed || !this.owner()) return;
    const failed = (id: number) => (err: unknown) => {
      this.posted.delete(id);
      this.deps.logger.debug({ err, instanceId: id }, 'posting an edge app status failed');
    };
    for (const [id, m] of this.managed) {
      const status = m.supervisor.status();
      const json = JSON.stringify(status);
      if (this.posted.get(id)?.json === json) continue;
      const installationId = m.supervisor.spec.installationId;
      this.posted.set(id, { installationId, json });
      board.write(installationId, id, status).catch(failed(id));
    }
    for (const [id, p] of this.posted) {
      if (this.managed.has(id)) continue;
      this.posted.delete(id);
      board.write(p.installationId, id, null).catch(failed(id));
    }
  }

  private async host(installationId: number, op: string, args: unknown[]): Promise<unknown> {
    if (op === 'http') return appHttp(appHttpRequest(args[0], this.limits.hostCallTimeoutMs));
    if (op === 'gatewayInfo') return this.gatewayInfo(installationId);
    this.hostApi ??= createHostApi({ policy: this.deps.policy, ...this.deps.services(), repo: this.repo, notify: this.deps.notify, rest: this.deps.rest });
    return this.hostApi(installationId, op, args);
  }

  /** The view of `/etc/iot-open/iotopen.json` (spec 1.6) an app gets: no gateway secret in it. */
  private async gatewayInfo(installationId: number) {
    const installation = this.deps.index.byId(installationId);
    if (!installation) throw new NotFoundError(`installation ${installationId} not found`);
    const endpoints = await this.deps.endpoints?.();
    return {
      client_id: installation.clientId,
      installation_id: installationId,
      api: endpoints?.api ?? '',
      aam: endpoints?.api ?? '',
      mqtt_broker: endpoints?.mqttBroker ?? '',
    };
  }

  /**
   * Apps written for a gateway ask for TLS to the platform broker (`tls_set`, EA-share-data); this
   * server's own listener, which iotopen.json names, is plain MQTT, so TLS is dropped for it only.
   */
  private async connectMqtt(o: PublisherOptions): Promise<MqttPublisher> {
    const own = o.tls ? await this.deps.endpoints?.() : undefined;
    const cut = own?.mqttBroker.lastIndexOf(':') ?? -1;
    const ownBroker = own && cut > 0 && own.mqttBroker.slice(0, cut) === o.host && Number(own.mqttBroker.slice(cut + 1)) === o.port;
    return MqttPublisher.connect(ownBroker ? { ...o, tls: false } : o);
  }

  /** Starts every configured instance (their installations exist: the rows cascade with them). */
  async start(): Promise<void> {
    this.unsubscribe = this.ownership.onChange((key, owned) => {
      if (key === edgeAppsWork) this.ownershipChanged(owned);
    });
    const records = this.owner() ? await this.repo.listAll() : [];
    await Promise.all(records.map((r) => this.enqueue(r.id, () => this.sync(r.id, r))));
    if (records.length) this.deps.logger.info({ instances: records.length }, 'edge apps started');
    // Rows can also go by SQL cascade without a call here (a forced organization delete takes the
    // edge apps it published, with their instances on other organizations' installations).
    this.reconcileTimer = setInterval(() => void this.reconcile(), 30_000);
    this.reconcileTimer.unref();
    if (this.deps.statusBoard) {
      // Polled rather than hooked: a status is a few fields and other nodes may lag a second.
      this.statusTimer = setInterval(() => this.postStatuses(), 1000);
      this.statusTimer.unref();
    }
  }

  instanceChanged(_installationId: number, instanceId: number): void {
    void this.enqueue(instanceId, () => this.sync(instanceId));
  }

  /** The installation is gone with its instances: stop them without onDestroy (nothing to clean). */
  installationDeleted(installationId: number): void {
    this.stopInstallation(installationId);
    // A forced organization delete may have taken apps used on surviving installations too.
    void this.reconcile();
  }

  private stopInstallation(installationId: number): void {
    for (const [id, m] of this.managed) {
      if (m.supervisor.spec.installationId !== installationId) continue;
      void this.enqueue(id, async () => {
        if (this.managed.get(id) !== m) return;
        this.managed.delete(id);
        await m.supervisor.close();
      });
    }
  }

  /** Stops instances whose rows are gone without a call here (SQL cascades). */
  async reconcile(): Promise<void> {
    if (this.closed) return;
    let ids: Set<number>;
    try {
      ids = new Set((await this.repo.listAll()).map((r) => r.id));
    } catch (err) {
      this.deps.logger.warn({ err }, 'checking edge app instances failed');
      return;
    }
    for (const [id, m] of [...this.managed]) {
      if (ids.has(id)) continue;
      const installationId = m.supervisor.spec.installationId;
      // An installation whose delete is still being announced (a forced organization delete goes
      // one installation at a time) is gone already in SQL: its instances get no onDestroy.
      const exists = this.deps.index.byId(installationId) !== undefined && (await this.repo.installationExists(installationId).catch(() => true));
      if (exists) void this.enqueue(id, () => this.sync(id));
      else this.stopInstallation(installationId);
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
    this.unsubscribe();
    clearInterval(this.reconcileTimer);
    clearInterval(this.statusTimer);
    for (const t of this.refreshes.values()) clearTimeout(t);
    await Promise.all([...this.managed.values()].map((m) => m.supervisor.close()));
    this.managed.clear();
  }

  async instanceStatus(p: Principal, installationId: number, instanceId: number): Promise<EdgeInstanceStatus> {
    const record = await this.visibleInstance(p, installationId, instanceId);
    let status = this.managed.get(instanceId)?.supervisor.status();
    if (!status && !this.owner()) status = (await this.deps.statusBoard?.read(record.installationId, record.id).catch(() => null)) ?? undefined;
    status ??= { state: 'stopped' as const, reason: this.owner() ? 'not started' : 'runs on another node of the cluster', restarts: 0, started: null };
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
    const current = this.managed.get(instanceId);
    if (!this.owner()) {
      // Another node runs it (or will once it takes the lease): stopped, not destroyed.
      if (!current) return;
      this.managed.delete(instanceId);
      await current.supervisor.close();
      return;
    }
    const record = known ?? (await this.repo.get(instanceId));
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
        connectMqtt: (o) => this.connectMqtt(o),
        logger: log,
      },
      this.limits,
    );
    const running = [...this.managed.values()].filter((m) => m.supervisor.status().state !== 'stopped').length;
    this.managed.set(record.id, { supervisor, fingerprint: fingerprint(record) });
    if (this.deps.maxInstances !== undefined && running >= this.deps.maxInstances) supervisor.fail(`the server runs at most ${this.deps.maxInstances} edge-app instances (edgeMaxInstances)`);
    else if (!installation) supervisor.fail(`installation ${installationId} not found`);
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
