// The embedded MQTT broker (aedes): authenticates with the AAM, enforces the installation ACL,
// feeds every installation message to the stream processors and, for QoS 1/2, acknowledges only
// after they have it durably. See README.md for how that is hooked into aedes.
import type { IncomingMessage, Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesPublishPacket, type Client, type PublishPacket, type Subscription, type UnsubscribePacket } from 'aedes';
import type { Logger } from 'pino';
import type { MqttAccessService, MqttPrincipal } from '../aam/access.js';
import type { BusMessage, ProcessorStats, StreamProcessor } from '../processors/types.js';
import { createLogThrottle } from '../processors/log-throttle.js';
import { authorizePublishTopic, authorizeSubscribeFilter, mayForward } from './authorize.js';
import { completeInOrder, createDispatcher } from './dispatch.js';
import { openBrokerPersistence, type BrokerPersistence } from './persistence.js';
import { SessionRegistry, type Session } from './sessions.js';
import { createWebSocketGateway } from './websocket.js';

/** Large enough for any value payload or config blob; beyond it a publish is dropped unseen. */
export const defaultMaxBusPayloadBytes = 256 * 1024;

export interface BusOptions {
  host: string;
  /** 0 picks a free port; the bound one is `Bus.mqttPort`. */
  mqttPort: number;
  /** Broker state lives in `<dataDir>/mqtt`. */
  dataDir: string;
  access: MqttAccessService;
  processors: StreamProcessor[];
  logger: Logger;
  /** Publishes with a larger payload are dropped (acknowledged, not delivered, not processed). */
  maxPayloadBytes?: number;
  /**
   * Cluster mode: a shared message emitter and broker state (Redis) instead of `<dataDir>/mqtt`.
   * Processors still run only on the node a client published to, so each message is stored once.
   */
  cluster?: { id: string; mq: unknown; persistence: BrokerPersistence };
  /** Why new connections are refused right now (CONNACK 3, server unavailable), or null. */
  admission?: () => string | null;
}

export interface BusPublishOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

export interface BusStats {
  connections: number;
  authFailures: number;
  /** Client publishes accepted on installation topics. */
  received: number;
  receivedByInstallation: Record<number, number>;
  serverPublished: number;
  deniedPublish: number;
  deniedSubscribe: number;
  /** Authorized publishes over maxPayloadBytes: dropped before routing and processing. */
  droppedOversize: number;
  droppedOversizeByInstallation: Record<number, number>;
  processorErrors: number;
  /** QoS 1/2 publishes left unacknowledged (and the client disconnected) because a processor failed. */
  notAcknowledged: number;
  /** Per processor name, from processors that expose stats(). */
  processors: Record<string, ProcessorStats>;
}

export interface Bus {
  readonly mqttPort: number;
  /** Serves MQTT over WebSocket on `server` at `path` (default `/mqtt`); returns a detach function. */
  attachWebSocket(server: Server, path?: string): () => void;
  /** For callers that route upgrades themselves: true when the request was for `path` and taken. */
  handleWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, path?: string): boolean;
  /**
   * Publishes as the server (spec 4.5 events, for instance). Installation topics also go to the
   * processors first; a processor failure is logged, not thrown, and delivery still happens.
   * After close() it resolves without delivering; it rejects only for `$` topics.
   */
  publish(topic: string, payload: string | Uint8Array, opts?: BusPublishOptions): Promise<void>;
  stats(): BusStats;
  /**
   * Cluster mode: installation messages routed here from the other nodes (already processed
   * there), for work that runs on one node only (edge apps). Not called for messages this node
   * processed itself; never called on a single server. Returns the unsubscribe function.
   */
  onRemoteMessage(handler: (message: BusMessage) => void): () => void;
  /** Stops listening, disconnects clients, flushes the processors, closes aedes and its database. */
  close(): Promise<void>;
}

type AuthDone = (error: (Error & { returnCode: number }) | null, success: boolean | null) => void;
type PublishDone = (error?: Error | null) => void;
/** Every topic of at least two levels: installation topics are `<client_id>/...`. */
const remoteFilter = '+/#';
interface RemoteEmitter {
  on(filter: string, listener: (packet: AedesPublishPacket, done: () => void) => void): void;
  removeListener(filter: string, listener: (packet: AedesPublishPacket, done: () => void) => void): void;
}
type RawPublish = (packet: PublishPacket, client: Client | null, done?: PublishDone) => void;

export async function startBus(opts: BusOptions): Promise<Bus> {
  const { access, logger } = opts;
  const maxPayloadBytes = opts.maxPayloadBytes ?? defaultMaxBusPayloadBytes;
  const persistence = opts.cluster?.persistence ?? (await openBrokerPersistence(opts.dataDir));
  const dispatcher = createDispatcher(opts.processors, logger);
  const throttle = createLogThrottle(logger);
  const receivedByInstallation = new Map<number, number>();
  const oversizeByInstallation = new Map<number, number>();
  const counters = {
    authFailures: 0,
    received: 0,
    serverPublished: 0,
    deniedPublish: 0,
    deniedSubscribe: 0,
    droppedOversize: 0,
    notAcknowledged: 0,
  };
  /** Publishes that were authorized "to be dropped": acknowledged as usual but never routed. */
  const dropped = new WeakSet<object>();
  /** QoS 2 messages go to the processors from the `published` hook; see README.md. */
  const qos2Messages = new WeakMap<object, BusMessage>();
  let closing = false;
  /**
   * Wills of a dead run keep that run's broker id, so "published by another broker" does not tell
   * whether this node processed one: those it processed are remembered until they come back
   * through the emitter (bounded; an entry outlives its echo only if Redis lost the message).
   */
  const localWills = new Set<string>();
  // A persisted will carries its run's broker id and its client id; aedes' packet keeps both.
  const willKey = (p: object) => {
    const will = p as { brokerId?: string; clientId?: string; topic: string };
    return `${will.brokerId}\0${will.clientId}\0${will.topic}`;
  };

  const sessions = new SessionRegistry(access, logger, dropDisallowedSubscriptions);

  function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: AuthDone): void {
    const refuse = (returnCode: number, message: string) => done(Object.assign(new Error(message), { returnCode }), null);
    if (closing) {
      refuse(3, 'server shutting down');
      return;
    }
    const unavailable = opts.admission?.();
    if (unavailable) {
      throttle.warn('not-admitted', { clientId: client.id, reason: unavailable }, 'mqtt connect refused: node not ready');
      refuse(3, 'server unavailable');
      return;
    }
    Promise.resolve()
      .then(() => access.authenticateMqtt(username, password?.toString('utf8')))
      .then(
        (principal) => {
          if (!principal) {
            counters.authFailures++;
            throttle.warn('auth-failed', { clientId: client.id, username }, 'mqtt authentication failed');
            refuse(password ? 4 : 5, password ? 'bad user name or password' : 'not authorized');
            return;
          }
          if (!sessions.add(client, principal)) {
            refuse(5, 'not authorized');
            return;
          }
          vetWill(client, principal);
          done(null, true);
        },
        (err: unknown) => {
          logger.error({ err, clientId: client.id }, 'mqtt authentication unavailable');
          refuse(3, 'server unavailable');
        },
      )
      .catch((err: unknown) => logger.error({ err, clientId: client.id }, 'mqtt connect handling failed'));
  }

  /**
   * A will is published after its client is gone, possibly by a later run with no principal to
   * check against, so its topic is vetted while the principal is at hand. aedes keeps the will of
   * a connecting client in `_will` until authentication succeeded.
   */
  function vetWill(client: Client, principal: MqttPrincipal): void {
    const pending = client as unknown as { _will?: { topic: string } | null };
    const will = pending._will;
    if (!will) return;
    const decision = authorizePublishTopic(principal, will.topic, access);
    if (decision.ok) return;
    pending._will = null;
    counters.deniedPublish++;
    throttle.warn(`deny:${client.id}`, { clientId: client.id, topic: will.topic, reason: decision.reason }, 'mqtt will refused');
  }

  function authorizePublish(client: Client | null, packet: PublishPacket, done: PublishDone): void {
    const session = client ? sessions.get(client) : undefined;
    const drop = (reason: string) => {
      dropped.add(packet);
      throttle.warn(`deny:${client?.id ?? ''}`, { clientId: client?.id ?? null, topic: packet.topic, reason }, 'mqtt publish dropped');
      if (session) completeInOrder(session, undefined, done);
      else done(null);
    };
    if (client && (!session || session.revoked)) {
      counters.deniedPublish++;
      drop('connection not authorized');
      return;
    }
    // Without a session this is the will of a client from an earlier run, vetted at its CONNECT.
    const decision = authorizePublishTopic(session?.principal ?? null, packet.topic, access);
    if (!decision.ok) {
      counters.deniedPublish++;
      drop(decision.reason);
      return;
    }
    const installationId = decision.installation.id;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (payload.length > maxPayloadBytes) {
      counters.droppedOversize++;
      oversizeByInstallation.set(installationId, (oversizeByInstallation.get(installationId) ?? 0) + 1);
      drop(`payload of ${payload.length} bytes exceeds ${maxPayloadBytes}`);
      return;
    }
    counters.received++;
    receivedByInstallation.set(installationId, (receivedByInstallation.get(installationId) ?? 0) + 1);
    const message: BusMessage = {
      installationId,
      clientId: decision.installation.clientId,
      topic: decision.relativeTopic,
      payload,
      qos: packet.qos,
      retain: packet.retain,
      receivedAt: Date.now() / 1000,
      publisher: client?.id ?? null,
    };

    if (!session) {
      if (opts.cluster) {
        if (localWills.size >= 1000) localWills.clear();
        localWills.add(willKey(packet));
      }
      const work = dispatcher.dispatch(message);
      if (work) work.then(() => done(null), () => done(null));
      else done(null);
      return;
    }
    if (packet.qos === 2) {
      qos2Messages.set(packet, message);
      completeInOrder(session, undefined, done);
      return;
    }
    if (packet.qos === 0) {
      // Fire and forget: the dispatcher logs and counts any failure.
      dispatcher.dispatch(message, false);
      completeInOrder(session, undefined, done);
      return;
    }
    const work = dispatcher.dispatch(message);
    completeInOrder(session, work, (err) => {
      if (!err) {
        done(null);
        return;
      }
      // MQTT 3.1.1 has no negative PUBACK. Closing without one makes the client resend the message
      // (its session keeps it), so nothing acknowledged is ever lost.
      counters.notAcknowledged++;
      logger.warn({ clientId: client?.id, topic: packet.topic, err }, 'not acknowledging a QoS 1 publish the processors failed on; disconnecting');
      done(err);
    });
  }

  /**
   * For QoS 2, aedes stores the packet, routes it, runs this hook and only then sends PUBREC; and it
   * skips all of that for a retransmitted duplicate. Handling QoS 2 here rather than in
   * authorizePublish is what keeps duplicates out of the processors.
   */
  function published(packet: AedesPublishPacket, client: Client | null, done: PublishDone): void {
    const message = qos2Messages.get(packet);
    if (!message || !client) {
      done(null);
      return;
    }
    qos2Messages.delete(packet);
    const work = dispatcher.dispatch(message);
    if (!work) {
      done(null);
      return;
    }
    work.then(
      () => done(null),
      (err: Error) => {
        counters.notAcknowledged++;
        logger.warn({ clientId: client.id, topic: packet.topic, err }, 'not acknowledging a QoS 2 publish the processors failed on; disconnecting');
        // Left in the incoming store, the resent packet would be taken for a duplicate and skipped.
        persistence.incomingDelPacket(client, packet).then(
          () => done(err),
          () => done(err),
        );
      },
    );
  }

  function authorizeSubscribe(client: Client, sub: Subscription, done: (error: Error | null, sub?: Subscription | null) => void): void {
    const session = sessions.get(client);
    if (!session || session.revoked) {
      done(null, null);
      return;
    }
    const decision = authorizeSubscribeFilter(session.principal, sub.topic, access);
    if (!decision.ok) {
      counters.deniedSubscribe++;
      throttle.warn(`deny:${client.id}`, { clientId: client.id, filter: sub.topic, reason: decision.reason }, 'mqtt subscribe denied');
      // A null subscription makes aedes answer 0x80 for this filter and keep the connection.
      done(null, null);
      return;
    }
    done(null, sub);
  }

  function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const session = sessions.get(client);
    return session && !session.revoked && mayForward(session.principal, packet.topic) ? packet : null;
  }

  /** After a refresh, filters the new principal may not hold are removed server-side. */
  function dropDisallowedSubscriptions(session: Session): void {
    const filters = Object.keys((session.client as unknown as { subscriptions: Record<string, unknown> }).subscriptions);
    const disallowed = filters.filter((f) => !authorizeSubscribeFilter(session.principal, f, access).ok);
    if (disallowed.length === 0) return;
    logger.info({ clientId: session.client.id, filters: disallowed }, 'mqtt subscriptions withdrawn after an access change');
    session.client.unsubscribe({ unsubscriptions: disallowed } as UnsubscribePacket, (err) => {
      if (err) logger.warn({ err, clientId: session.client.id }, 'withdrawing mqtt subscriptions failed');
    });
  }

  let broker: Aedes;
  try {
    broker = await Aedes.createBroker({
      ...(opts.cluster && { id: opts.cluster.id, mq: opts.cluster.mq as never }),
      persistence,
      authenticate,
      authorizePublish,
      authorizeSubscribe,
      authorizeForward,
      published,
    });
  } catch (err) {
    await persistence.destroy().catch(() => undefined);
    throw err;
  }
  // aedes emits 'error' on itself for persistence failures; unhandled, that would throw.
  (broker as unknown as NodeJS.EventEmitter).on('error', (err: Error) => logger.error({ err }, 'mqtt broker error'));
  broker.on('clientError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
  broker.on('connectionError', (_client, err) => logger.debug({ err: err.message }, 'mqtt connection error'));

  // aedes routes a client publish through broker.publish right after authorizePublish and has no
  // "authorized, but drop it" outcome (an error closes the connection). Skipping the packets marked
  // in authorizePublish drops them while the usual PUBACK/PUBREC still keeps the client in step.
  const routePublish = (broker.publish as unknown as RawPublish).bind(broker);
  (broker as unknown as { publish: RawPublish }).publish = (packet, client, done) => {
    if (typeof client === 'function') {
      done = client as PublishDone;
      client = null;
    }
    if (dropped.has(packet)) {
      dropped.delete(packet);
      if (done) process.nextTick(done, null);
      return;
    }
    routePublish(packet, client, done);
  };

  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(opts.mqttPort, opts.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await persistence.destroy().catch(() => undefined);
    throw err;
  }
  tcp.on('error', (err) => logger.error({ err }, 'mqtt listener error'));
  const mqttPort = (tcp.address() as AddressInfo).port;

  const ws = createWebSocketGateway({
    handle: (stream, req) => broker.handle(stream, req),
    // Bounds what one frame can make the server buffer, with room for the MQTT header and topic,
    // while a publish that is only somewhat too large is still dropped per message as on TCP.
    maxPayload: 4 * maxPayloadBytes + 64 * 1024,
  });

  const stopWatching = access.onAccessEvent((event) => {
    sessions.handle(event).catch((err: unknown) => logger.error({ err, event }, 'mqtt access event failed'));
  });

  logger.info({ host: opts.host, port: mqttPort }, 'mqtt broker listening');

  let closed: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    closing = true;
    stopWatching();
    const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
    await ws.close();
    await sessions.disconnectAll();
    // Connections that never authenticated hold no session; they would keep tcp.close() waiting.
    for (const socket of sockets) socket.destroy();
    await tcpClosed;
    const flushed = await Promise.allSettled(opts.processors.map((p) => p.flush()));
    flushed.forEach((result, i) => {
      if (result.status === 'rejected') logger.error({ err: result.reason, processor: opts.processors[i].name }, 'processor flush failed');
    });
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    // aedes does not close its persistence.
    await persistence.destroy();
    logger.info('mqtt broker closed');
  }

  return {
    mqttPort,
    attachWebSocket: (server, path) => ws.attach(server, path),
    handleWebSocket: (req, socket, head, path) => ws.handleUpgrade(req, socket, head, path),
    async publish(topic, payload, publishOpts = {}) {
      // Callers fire events without awaiting (ChangePublisher is sync); a rejection here would be an
      // unhandled one during shutdown, and an event nobody can receive any more is no loss.
      if (closing) {
        logger.debug({ topic }, 'server publish after the bus closed: dropped');
        return;
      }
      if (topic.charCodeAt(0) === 36) throw new Error(`refusing to publish on reserved topic ${topic}`);
      const buffer = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      const qos = publishOpts.qos ?? 0;
      const retain = publishOpts.retain ?? false;
      counters.serverPublished++;
      const decision = authorizePublishTopic(null, topic, access);
      if (decision.ok) {
        const work = dispatcher.dispatch({
          installationId: decision.installation.id,
          clientId: decision.installation.clientId,
          topic: decision.relativeTopic,
          payload: buffer,
          qos,
          retain,
          receivedAt: Date.now() / 1000,
          publisher: null,
        });
        if (work) await work.catch(() => undefined);
      }
      await new Promise<void>((resolve, reject) => {
        broker.publish({ cmd: 'publish', topic, payload: buffer, qos, retain, dup: false }, (err) => (err ? reject(err) : resolve()));
      });
    },
    stats() {
      const processors: Record<string, ProcessorStats> = {};
      for (const p of opts.processors) if (p.stats) processors[p.name] = p.stats();
      return {
        connections: sessions.size,
        ...counters,
        receivedByInstallation: Object.fromEntries(receivedByInstallation),
        droppedOversizeByInstallation: Object.fromEntries(oversizeByInstallation),
        processorErrors: dispatcher.errors,
        processors,
      };
    },
    onRemoteMessage(handler) {
      if (!opts.cluster) return () => {};
      const mq = (broker as unknown as { mq: RemoteEmitter }).mq;
      const listener = (packet: AedesPublishPacket, done: () => void) => {
        try {
          if (closing || packet.brokerId === broker.id || localWills.delete(willKey(packet))) return;
          // `$SYS` and topics of no installation are no one's messages; authorizePublishTopic refuses both.
          const decision = authorizePublishTopic(null, packet.topic, access);
          if (!decision.ok) return;
          const raw = packet.payload as Buffer | string | Uint8Array | undefined;
          handler({
            installationId: decision.installation.id,
            clientId: decision.installation.clientId,
            topic: decision.relativeTopic,
            payload: Buffer.isBuffer(raw) ? raw : Buffer.from(raw ?? ''),
            qos: packet.qos,
            retain: packet.retain,
            receivedAt: Date.now() / 1000,
            publisher: null,
          });
        } catch (err) {
          throttle.warn('remote-message', { err, topic: packet.topic }, 'handling a message from another node failed');
        } finally {
          done();
        }
      };
      mq.on(remoteFilter, listener);
      let subscribed = true;
      return () => {
        // Closing the broker drops every listener with the emitter.
        if (!subscribed || closing) return;
        subscribed = false;
        mq.removeListener(remoteFilter, listener);
      };
    },
    close() {
      closed ??= shutdown();
      return closed;
    },
  };
}
