// Composition root: opens the stores, builds the services once, and starts the transports that
// share them (REST + tRPC + MQTT-over-WebSocket on the HTTP port, MQTT on its TCP port).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AccessEventHub } from './aam/access-events.js';
import type { ChangePublisher } from './aam/events.js';
import { InstallationIndex } from './aam/installation-index.js';
import { OrganizationTree } from './aam/organization-tree.js';
import { OrganizationsRepository } from './aam/repositories/organizations.js';
import { RolesRepository } from './aam/repositories/roles.js';
import { SettingsRepository } from './aam/repositories/settings.js';
import { TokensRepository } from './aam/repositories/tokens.js';
import { TraceRepository } from './aam/repositories/trace.js';
import { UsersRepository } from './aam/repositories/users.js';
import { AccessPolicy } from './aam/services/access-policy.js';
import { AdminScope } from './aam/services/admin-scope.js';
import { AuthService } from './aam/services/auth.js';
import { UserSecurityRepository } from './aam/repositories/user-security.js';
import { LoginPolicy } from './aam/services/login-policy.js';
import { LoginGuard, LoginThrottle } from './aam/services/login-throttle.js';
import { createMailTransport } from './aam/services/mail-transport.js';
import { PasswordResetService } from './aam/services/password-reset.js';
import { TwoFactorService } from './aam/services/two-factor.js';
import { GatewayCredentialsService } from './aam/services/gateway-credentials.js';
import { bootstrapAam, type BootstrapResult } from './aam/services/bootstrap.js';
import { InstallationsService, loadInstallationIndex } from './aam/services/installations.js';
import { MqttAccess } from './aam/services/mqtt-access.js';
import { OrganizationsService } from './aam/services/organizations.js';
import { RolesService } from './aam/services/roles.js';
import { TokensService } from './aam/services/tokens.js';
import { TraceService } from './aam/services/trace.js';
import { UserPasswordsService } from './aam/services/user-passwords.js';
import { UsersService } from './aam/services/users.js';
import { XObjectsService } from './aam/services/x-objects.js';
import { FileBlobStore } from './aam/services/file-blob-store.js';
import { FilesService } from './aam/services/files.js';
import { createEdgeApps } from './processors/edge-apps/create-edge-apps.js';
import type { EdgeRuntimeControl } from './processors/edge-apps/runtime-control.js';
import { EdgeRuntime, edgeAppsWork } from './processors/edge-apps/runtime/edge-runtime.js';
import { SearchService } from './aam/services/search.js';
import { openStore } from './aam/store/open-store.js';
import { createRestApp } from './api/rest/create-rest-app.js';
import { createInternalCaller, type InternalCall } from './api/rest/internal-call.js';
import { mountTrpc } from './api/trpc/mount.js';
import { serveUi } from './api/ui-static/serve-ui.js';
import { LiveFeed } from './monitoring/live-feed.js';
import { LiveService } from './monitoring/live-service.js';
import { serverLogRing } from './monitoring/log-ring.js';
import { OverviewService } from './monitoring/overview-service.js';
import { SystemService } from './monitoring/system-service.js';
import { Housekeeping } from './housekeeping.js';
import { startBus, type Bus } from './bus/broker.js';
import type { ServerConfig } from './config/schema.js';
import type { Logger } from './log.js';
import { DataService } from './processors/storage/data-service.js';
import { IngestStatsService } from './processors/storage/ingest-stats.js';
import { createStorageProcessor } from './processors/storage/storage-processor.js';
import { ScheduleRunner } from './processors/schedules/schedule-runner.js';
import { DeliveryWorker } from './processors/notifications/delivery-worker.js';
import { NotificationsService } from './processors/notifications/notifications-service.js';
import { NotificationsRepository } from './processors/notifications/repository.js';
import { SchedulesService } from './processors/schedules/schedules-service.js';
import type { AppServices } from './services.js';
import { openLevelStore } from './tsdb/level-store.js';
import { startServerControl } from './backup/server-control.js';
import { SystemBackups } from './backup/system-backups.js';
import { RetentionSettingsService } from './processors/retention/retention-settings.js';
import { RetentionSweep } from './processors/retention/retention-sweep.js';
import type { ClusterCacheBus } from './cluster/cache-bus.js';
import { clusterSettings, type ClusterSettings } from './cluster/cluster-config.js';
import { Readiness } from './cluster/readiness.js';
import { createWorkOwnership } from './cluster/leases-from-config.js';
import { relayInstanceChanges } from './cluster/leases-edge-relay.js';
import { feedRemoteMessagesWhileOwning } from './cluster/edge-feed.js';

export interface RunningServer {
  httpUrl: string;
  mqttUrl: string;
  httpPort: number;
  mqttPort: number;
  services: AppServices;
  bootstrap: BootstrapResult;
  bus: Bus;
  /** Database (and Redis) health: gates new connections and writes, answers GET /api/v2/ready. */
  readiness: Readiness;
  /** Cluster mode only: this node's settings and the cross-node message bus (Redis pub/sub). */
  cluster?: { settings: ClusterSettings; messages: ClusterCacheBus };
  /** Stops accepting, flushes pending writes, closes broker, persistence and databases. */
  close(): Promise<void>;
}

/** Things opened so far, closed in reverse order if start-up fails half way. */
class Closers {
  private readonly list: { name: string; close: () => Promise<unknown> }[] = [];
  add(name: string, close: () => Promise<unknown>) {
    this.list.push({ name, close });
  }
  async closeAll(logger: Logger) {
    for (const { name, close } of this.list.reverse()) {
      try {
        logger.debug({ part: name }, 'closing');
        await close();
      } catch (err) {
        logger.error({ err }, `closing ${name} failed`);
      }
    }
    this.list.length = 0;
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export interface StartHooks {
  /**
   * Called as soon as the admin user exists, before the listeners start: a generated password must
   * reach the operator even when start-up fails later (a port in use), or it would be lost.
   */
  onBootstrap?: (result: BootstrapResult) => void;
  /** A clean stop asked for on the control socket (supervisors on Windows, where SIGTERM kills). */
  onShutdownRequest?: () => void;
}

export async function startServer(config: ServerConfig, logger: Logger, hooks: StartHooks = {}): Promise<RunningServer> {
  const closers = new Closers();
  try {
    const cluster = clusterSettings(config);
    if (cluster) logger.info({ node: cluster.nodeId, redisDb: cluster.db, prefix: cluster.prefix }, 'cluster mode');
    // Cluster parts (Redis clients, the PostgreSQL time series) load only in cluster mode: a single
    // node starts faster without them.
    const clusterMessages = cluster
      ? await (await import('./cluster/cache-bus.js')).ClusterCacheBus.connect(cluster, logger.child({ component: 'cluster' }))
      : undefined;
    if (clusterMessages) closers.add('cluster messages', () => clusterMessages.close());
    await mkdir(config.dataDir, { recursive: true });
    // Opened first: LevelDB's lock makes a second server on the same data dir fail here, before it
    // touches the SQL database or the broker state.
    // A cluster's nodes share the time series in PostgreSQL; a single node keeps them in LevelDB.
    const levelTsdb = cluster ? undefined : await openLevelStore(join(config.dataDir, 'tsdb'), { logger: logger.child({ component: 'tsdb' }) });
    const tsdb = levelTsdb ?? (await (await import('./tsdb/postgres/index.js')).openPostgresStore({ url: config.databaseUrl, logger: logger.child({ component: 'tsdb' }) }));
    closers.add('time series', () => tsdb.close());
    const store = await openStore(config.databaseUrl);
    closers.add('AAM database', () => store.close());
    logger.info({ provider: store.provider, database: store.location }, 'AAM database open');
    if (store.appliedMigrations.length) logger.info({ migrations: store.appliedMigrations }, 'applied database migrations');

    const organizationsRepo = new OrganizationsRepository(store.db);
    const rolesRepo = new RolesRepository(store.db);
    const usersRepo = new UsersRepository(store.db);
    const tokensRepo = new TokensRepository(store.db);
    const settingsRepo = new SettingsRepository(store.db);
    const hub = new AccessEventHub();

    const organizations = new OrganizationTree();
    const index = new InstallationIndex();
    const policy = new AccessPolicy(index, organizations);
    const scope = new AdminScope(rolesRepo, organizations);
    // Built before the services that record into it (spec 1.14).
    const trace = new TraceService({ trace: new TraceRepository(store.db), policy, organizations, logger: logger.child({ component: 'trace' }) });

    // Events are published on the bus, which starts after the services: route through a late binding.
    let bus: Bus | undefined;
    const changes: ChangePublisher = {
      changed(clientId, kind) {
        bus?.publish(`${clientId}/evt/${kind}/updated`, '{}');
      },
    };
    const users = new UsersService({ users: usersRepo, tokens: tokensRepo, settings: settingsRepo, scope, index, policy, hub, changes, audit: trace });
    const bootstrap = await bootstrapAam({
      organizations: organizationsRepo,
      roles: rolesRepo,
      settings: settingsRepo,
      users: usersRepo,
      usersService: users,
      adminEmail: config.adminEmail,
      adminPassword: config.adminPassword,
    });
    hooks.onBootstrap?.(bootstrap);
    for (const row of await organizationsRepo.treeRows()) organizations.upsert(row.id, row.parentId);
    for (const row of await loadInstallationIndex(store.db)) index.upsert(row);

    const storage = createStorageProcessor(tsdb, { logger: logger.child({ component: 'storage' }), maxPayloadBytes: config.maxPayloadBytes });

    // Login security: one throttle for passwords, challenges and reset tokens (in memory; in Redis
    // in a cluster, so the nodes count failures together and honour each other's locks).
    const authLog = logger.child({ component: 'auth' });
    const throttleStore = cluster
      ? await (await import('./cluster/redis-throttle-store.js')).RedisThrottleStore.connect(cluster, (err) => authLog.debug({ err }, 'login throttle connection error'))
      : undefined;
    if (throttleStore) closers.add('login throttle store', () => throttleStore.close());
    const guard = new LoginGuard({ throttle: new LoginThrottle({}, undefined, throttleStore), audit: trace, log: authLog });
    const securityRepo = new UserSecurityRepository(store.db);
    const loginPolicy = new LoginPolicy({ organizations: organizationsRepo, settings: settingsRepo, security: securityRepo });
    const twoFactor = new TwoFactorService({ users: usersRepo, security: securityRepo, settings: settingsRepo, tokens: tokensRepo, scope, policy, hub, loginPolicy, guard, audit: trace });
    const auth = new AuthService({ users: usersRepo, tokens: tokensRepo, roles: rolesRepo, loginPolicy, twoFactor, guard, audit: trace, hub });
    // Cluster: access changes made on any node reach this node's caches and MQTT sessions.
    await clusterMessages?.attach({
      hub,
      principals: auth.principals,
      index,
      organizations,
      load: async () => ({ installations: await loadInstallationIndex(store.db), organizations: await organizationsRepo.treeRows() }),
    });
    const readiness = new Readiness({
      node: cluster?.nodeId ?? 'single',
      checks: {
        database: () => store.db.$queryRawUnsafe('SELECT 1'),
        ...(clusterMessages && { redis: () => clusterMessages.ping() }),
      },
      logger: logger.child({ component: 'readiness' }),
    });
    // Single node: checked on request only; a cluster node watches its stores to stop taking work.
    if (cluster) {
      await readiness.start();
      closers.add('readiness checks', async () => readiness.stop());
    }
    const passwords = new UserPasswordsService({ users: usersRepo, tokens: tokensRepo, settings: settingsRepo, scope, policy, hub, audit: trace });
    // One SMTP transport for the server: password reset now, notification e-mail later.
    const mail = createMailTransport({ smtpUrl: config.smtpUrl, from: config.mailFrom });
    closers.add('mail transport', async () => mail.close());
    logger.info({ mail: mail.describe }, 'outgoing mail');
    const common = { db: store.db, index, organizations, policy, changes, accessEvents: hub, audit: trace };
    // The bus binds its port after the services exist; gateways are told the bound one.
    const gateways = new GatewayCredentialsService({ db: store.db, index, policy, hub, audit: trace, mqttPort: () => bus?.mqttPort ?? config.mqttPort });
    // Set by the edge-app runtime once it runs; instance changes before that restart nothing.
    let edgeRuntime: EdgeRuntimeControl | undefined;
    const edgeApps = createEdgeApps({ db: store.db, policy, organizations, changes, audit: trace, runtime: () => edgeRuntime });
    // A cluster's nodes share uploaded file bytes in PostgreSQL; a single node keeps them in <dataDir>/files.
    const pgBlobs = cluster ? await (await import('./cluster/pg-blob-store.js')).openPgBlobStore({ url: config.databaseUrl, logger: logger.child({ component: 'files' }) }) : undefined;
    if (pgBlobs) closers.add('file blobs', () => pgBlobs.close());
    const blobs = pgBlobs ?? new FileBlobStore(join(config.dataDir, 'files'));
    const files = new FilesService({ db: store.db, blobs, policy, organizations, index, maxUploadBytes: config.maxUploadBytes, audit: trace });
    // Blobs of rows a crash or an SQL cascade (installation, forced organization delete) left behind.
    const sweepFiles = (startup = false) => files.sweep({ startup }).catch((err: unknown) => logger.warn({ err }, 'sweeping unreferenced file blobs failed'));
    await sweepFiles(true);
    // Notification sends are queued in SQL (NotificationDelivery) and delivered by this worker,
    // started below once everything runs; pending rows of a previous run are resumed then.
    const notificationsRepo = new NotificationsRepository(store.db);
    // Schedules, edge-app instances and notification retries run on one node of a cluster (leases);
    // released after all of them stopped (closers run in reverse), so none runs twice.
    const ownership = await createWorkOwnership(config, logger.child({ component: 'leases' }));
    closers.add('work ownership', () => ownership.stop());
    // Edge-app instance statuses, posted by the lease owner, read by the other nodes.
    const edgeStatus = cluster
      ? await (await import('./cluster/edge-status-board.js')).RedisEdgeStatusBoard.connect(cluster, (err) => logger.debug({ err }, 'edge status connection error'))
      : undefined;
    if (edgeStatus) closers.add('edge status board', async () => edgeStatus.close());
    const deliveryWorker = new DeliveryWorker({ repo: notificationsRepo, log: logger.child({ component: 'notifications' }), ownership });
    const onInstallationDeleted = (id: number) => {
      gateways.installationDeleted(id);
      services.edgeRuntime.installationDeleted(id);
      void sweepFiles();
      void services.retention.forget(id).catch((err: unknown) => logger.warn({ err, installationId: id }, 'removing the retention setting failed'));
      return tsdb.deleteInstallation(id);
    };
    // Feeds the admin UI's live views; it sees every installation message after storage.
    const liveFeed = new LiveFeed();
    const dataService = new DataService(tsdb, policy);
    // Edge apps start before the REST app exists and the ports are bound: their lynx.apiCall and
    // iotopen.json wait for these.
    const edgeRest = deferred<InternalCall>();
    const edgeEndpoints = deferred<{ api: string; mqttBroker: string }>();
    const services: AppServices = {
      auth,
      users,
      passwords,
      twoFactor,
      passwordReset: new PasswordResetService({ users: usersRepo, tokens: tokensRepo, passwords, mail, guard, audit: trace, log: authLog }),
      organizations: new OrganizationsService({
        organizations: organizationsRepo,
        users: usersRepo,
        settings: settingsRepo,
        scope,
        index,
        policy,
        hub,
        changes,
        onInstallationDeleted,
        audit: trace,
        publishedApps: (ids) => edgeApps.catalogue.publishedBy(ids),
      }),
      roles: new RolesService({ roles: rolesRepo, settings: settingsRepo, scope, policy, hub, audit: trace }),
      policy,
      tokens: new TokensService(tokensRepo, usersRepo, hub, scope, undefined, trace),
      installations: new InstallationsService({ ...common, onInstallationDeleted }),
      devices: new XObjectsService('devicex', common),
      functions: new XObjectsService('functionx', common),
      data: dataService,
      ingest: new IngestStatsService(storage, policy),
      trace,
      gateways,
      schedules: new SchedulesService({ db: store.db, policy, changes, audit: trace }),
      notifications: new NotificationsService({ repo: notificationsRepo, policy, organizations, worker: deliveryWorker, audit: trace }),
      search: new SearchService({ db: store.db, policy }),
      edgeApps: edgeApps.catalogue,
      edgeAppInstances: edgeApps.instances,
      // Workers start once the bus runs (below); `mq:pub` goes through it.
      edgeRuntime: new EdgeRuntime({
        db: store.db,
        index,
        policy,
        services: () => services,
        publish: (topic, payload, opts) => (bus ? bus.publish(topic, payload, opts) : Promise.reject(new Error('the bus is not running'))),
        notify: () => (p, installationId, outputId, payload) => services.notifications.send(p, installationId, outputId, payload),
        rest: () => edgeRest.promise,
        endpoints: () => edgeEndpoints.promise,
        limits: { cpuMs: config.edgeCallbackTimeoutMs, luaMemoryBytes: config.edgeMemoryMb * 1024 * 1024 },
        maxInstances: config.edgeMaxInstances,
        ownership,
        ...(edgeStatus && { statusBoard: edgeStatus }),
        logger: logger.child({ component: 'edge-apps' }),
      }),
      files,
      live: new LiveService({
        feed: liveFeed,
        data: dataService,
        policy,
        principalForTokenId: (id) => auth.principalForTokenId(id),
        publish: (topic, payload, opts) => (bus ? bus.publish(topic, payload, opts) : Promise.reject(new Error('the bus is not running'))),
        maxPayloadBytes: config.maxPayloadBytes,
      }),
      overview: new OverviewService({ services: () => services, feed: liveFeed, brokerClients: () => bus?.stats().connections ?? 0 }),
      system: new SystemService({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, broker: () => bus?.stats(), logs: serverLogRing }),
      backups: new SystemBackups({
        dataDir: config.dataDir,
        databaseUrl: config.databaseUrl,
        tsdb: levelTsdb ?? { snapshot: () => Promise.reject(new Error('a cluster node keeps its time series in PostgreSQL: back up the database instead')) },
      }),
      retention: new RetentionSettingsService({ db: store.db, policy, defaults: { rawDays: config.retentionDays, rollupDays: config.rollupRetentionDays } }),
    };

    bus = await startBus({
      host: config.host,
      mqttPort: config.mqttPort,
      dataDir: config.dataDir,
      access: new MqttAccess(auth, policy, index, hub, gateways, trace),
      processors: [storage, services.edgeRuntime, liveFeed],
      logger: logger.child({ component: 'bus' }),
      // The bus limit guards memory; the storage limit decides what is a bad value payload, so
      // oversize values reach storage and are counted per installation there.
      maxPayloadBytes: Math.max(1024 * 1024, config.maxPayloadBytes),
      ...(cluster && { cluster: (await import('./cluster/mqtt-redis.js')).openClusterBroker(cluster, logger.child({ component: 'bus' })) }),
      admission: () => readiness.refusal(),
    });
    const runningBus = bus;
    closers.add('MQTT bus', () => runningBus.close());
    // Every configured instance runs again after a restart; workers stop before the bus closes.
    closers.add('edge-app runtime', () => services.edgeRuntime.close());
    await ownership.start();
    await services.edgeRuntime.start();
    if (clusterMessages) {
      // Instances run on the lease owner; changes made through this node reach it over the cluster channel.
      const relay = relayInstanceChanges(services.edgeRuntime, clusterMessages);
      closers.add('edge-app change relay', async () => relay.close());
      // The owner's instances also get what clients published to the other nodes.
      const feed = feedRemoteMessagesWhileOwning({ bus: runningBus, ownership, key: edgeAppsWork, handle: (m) => services.edgeRuntime.handle(m) });
      closers.add('edge-app remote feed', async () => feed.close());
      edgeRuntime = relay;
    } else edgeRuntime = services.edgeRuntime;

    // The `server` schedule executor publishes through the bus; closed before it (closers run in
    // reverse), so the minute the server stops in still runs.
    const scheduleRunner = new ScheduleRunner({
      db: store.db,
      publish: (topic, payload) => runningBus.publish(topic, payload, { qos: 1 }),
      logger: logger.child({ component: 'schedules' }),
      ownership,
    });
    await scheduleRunner.start();
    closers.add('schedule runner', () => scheduleRunner.close());
    deliveryWorker.start();
    closers.add('notification delivery', () => deliveryWorker.close());

    const retentionSweep = new RetentionSweep({ store: tsdb, settings: services.retention, logger: logger.child({ component: 'retention' }) });
    const housekeeping = new Housekeeping(
      [
        // Authentication already refuses ended tokens; sweeping keeps the table small and lets MQTT sessions holding one go.
        { name: 'ended tokens', run: () => services.tokens.sweepEnded() },
        { name: 'audit trace', run: () => services.trace.prune(config.traceRetentionDays) },
        { name: 'notification deliveries', run: () => services.notifications.pruneDeliveries(config.deliveryRetentionDays) },
        // Last: deleting and compacting old time series may take a while; counts series cleared.
        { name: 'time-series retention', run: async () => (await retentionSweep.runOnce()).seriesCleared },
      ],
      logger.child({ component: 'housekeeping' }),
    );
    housekeeping.start();
    closers.add('housekeeping', () => housekeeping.close());
    // Closed first (closers run in reverse): a long retention pass stops early instead of holding up shutdown.
    closers.add('retention sweep', async () => retentionSweep.stop());

    let httpServer: Server | undefined;
    const app = await createRestApp({
      services,
      logger,
      serverFactory: (handler) => {
        // Room for long request lines, so over-long ones get a clean 414 instead of a dropped socket.
        httpServer = createServer({ maxHeaderSize: 64 * 1024 }, handler);
        return httpServer;
      },
      extend: async (instance) => {
        await mountTrpc(instance, services);
        // Last: its catch-all GET route only takes paths no API route claimed.
        await serveUi(instance);
      },
      maxUploadBytes: config.maxUploadBytes,
      readiness,
    });
    runningBus.attachWebSocket(httpServer!, '/mqtt');
    // Upgraded sockets (MQTT over WebSocket) are never idle to the HTTP server: app.close() would
    // wait for them for ever, while only the bus, closed after it, ends them.
    const upgraded = new Set<Duplex>();
    httpServer!.on('upgrade', (_req, socket: Duplex) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
    });
    await app.listen({ host: config.host, port: config.httpPort });
    // Registered last so it closes first: stop taking requests before the stores go away.
    closers.add('HTTP server', async () => {
      const closed = app.close();
      for (const socket of upgraded) socket.destroy();
      await closed;
    });
    // `lynx-server backup` reaches the running server here; closed first, after answering what it took.
    const control = await startServerControl({
      dataDir: config.dataDir,
      backups: services.backups,
      logger: logger.child({ component: 'control' }),
      onShutdownRequest: hooks.onShutdownRequest,
    });
    closers.add('control socket', () => control.close());
    const httpPort = (httpServer!.address() as AddressInfo).port;
    edgeRest.resolve(createInternalCaller(app));
    const local = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
    edgeEndpoints.resolve({ api: `http://${urlHost(local)}:${httpPort}`, mqttBroker: `${local}:${runningBus.mqttPort}` });

    const host = urlHost(config.host);
    let closing: Promise<void> | undefined;
    return {
      httpUrl: `http://${host}:${httpPort}`,
      mqttUrl: `mqtt://${host}:${runningBus.mqttPort}`,
      httpPort,
      mqttPort: runningBus.mqttPort,
      services,
      bootstrap,
      bus: runningBus,
      readiness,
      ...(cluster && clusterMessages && { cluster: { settings: cluster, messages: clusterMessages } }),
      close: () => (closing ??= closers.closeAll(logger)),
    };
  } catch (err) {
    await closers.closeAll(logger);
    throw err;
  }
}
