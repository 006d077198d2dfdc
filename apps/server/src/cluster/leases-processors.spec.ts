// The processors under a work ownership they do not always have (a cluster node's view), driven by
// hand: schedules run only while owned and catch up the current minute on gaining it; the
// notification outbox is worked only by the owner; edge-app instances run on the owner only. The
// Redis side is in leases.spec.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAamFixture, type AamFixture } from '../aam/services/aam-test-fixture.js';
import { DeliveryWorker, deliveryWork } from '../processors/notifications/delivery-worker.js';
import { NotificationsService } from '../processors/notifications/notifications-service.js';
import { NotificationsRepository } from '../processors/notifications/repository.js';
import { ScheduleRunner, schedulesWork, type SchedulerClock } from '../processors/schedules/schedule-runner.js';
import { SchedulesService } from '../processors/schedules/schedules-service.js';
import { createEdgeApps } from '../processors/edge-apps/create-edge-apps.js';
import { EdgeRuntime, edgeAppsWork } from '../processors/edge-apps/runtime/edge-runtime.js';
import type { OwnershipListener, WorkOwnership } from './leases.js';
import { pino } from 'pino';

/** Ownership switched by the test; `refuse` makes claims fail as after a takeover the node missed. */
class ManualOwnership implements WorkOwnership {
  readonly owned = new Set<string>();
  refuse = false;
  claims: string[] = [];
  private readonly listeners = new Set<OwnershipListener>();
  owns(key: string) {
    return this.owned.has(key);
  }
  token(key: string) {
    return this.owns(key) ? 1 : null;
  }
  onChange(listener: OwnershipListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async claimOnce(key: string, name: string) {
    if (!this.owns(key) || this.refuse) return false;
    this.claims.push(name);
    return true;
  }
  async start() {}
  async stop() {}
  set(key: string, owned: boolean) {
    if (owned) this.owned.add(key);
    else this.owned.delete(key);
    for (const l of this.listeners) l(key, owned);
  }
}

class ManualClock implements SchedulerClock {
  constructor(public ms: number) {}
  now() {
    return this.ms;
  }
  setTimeout() {
    return null;
  }
  clearTimeout() {}
}

const quiet = { info() {}, warn() {}, error() {} };

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let f: AamFixture;
let installationId: number;
let clientId: number;

beforeEach(async () => {
  f = await createAamFixture();
  const inst = await f.installations.create(f.admin, { name: 'Node test', organization_id: f.orgs.child, timezone: 'UTC' });
  installationId = inst.id;
  clientId = inst.client_id;
});

afterEach(async () => {
  await f.close();
});

describe('ScheduleRunner under a lease', () => {
  it('runs only while owning, and on gaining runs the current minute but not the ones before', async () => {
    const schedules = new SchedulesService({ db: f.db, policy: f.policy, changes: { changed: () => {} }, now: () => f.clock.now });
    const s = await schedules.create(f.admin, installationId, { minute: '*', hour: '*', day_of_month: '*', month: '*', day_of_week: '*', topic: 'set/tick', value: 1 });
    const ownership = new ManualOwnership();
    const clock = new ManualClock(Date.parse('2026-06-01T07:00:30Z'));
    const published: [string, number][] = [];
    const runner = new ScheduleRunner({
      db: f.db,
      clock,
      logger: quiet,
      ownership,
      publish: async (topic, payload) => void published.push([topic, (JSON.parse(payload) as { timestamp: number }).timestamp]),
    });
    const minute = (iso: string) => Date.parse(iso) / 1000;
    try {
      await runner.start();
      clock.ms = Date.parse('2026-06-01T07:02:10Z');
      expect(await runner.runDue()).toBe(0);
      expect(published).toEqual([]);

      // The owner died during 07:03 before running it: this node takes over within the minute.
      clock.ms = Date.parse('2026-06-01T07:03:05Z');
      ownership.set(schedulesWork, true);
      await until(async () => published.length === 1, 'the catch-up run');
      expect(published).toEqual([[`${clientId}/set/tick`, minute('2026-06-01T07:03:00Z')]]);
      expect(ownership.claims).toEqual([`${s.id}:${minute('2026-06-01T07:03:00Z') / 60}`]);
      clock.ms = Date.parse('2026-06-01T07:04:01Z');
      expect(await runner.runDue()).toBe(1);

      // A claim the lease refuses (someone else owns it by now) is not run.
      ownership.refuse = true;
      clock.ms = Date.parse('2026-06-01T07:05:01Z');
      expect(await runner.runDue()).toBe(0);
      ownership.refuse = false;

      // Lost, then regained within the same minute: it was not run here, so it runs once.
      ownership.set(schedulesWork, false);
      clock.ms = Date.parse('2026-06-01T07:06:01Z');
      expect(await runner.runDue()).toBe(0);
      ownership.set(schedulesWork, true);
      await until(async () => published.length === 3, 'the run after regaining');
      expect(published.map(([, t]) => t)).toEqual([minute('2026-06-01T07:03:00Z'), minute('2026-06-01T07:04:00Z'), minute('2026-06-01T07:06:00Z')]);
      // Gaining again in a minute already run adds nothing (SQL and the claim both hold).
      ownership.set(schedulesWork, false);
      ownership.set(schedulesWork, true);
      expect(await runner.runDue()).toBe(0);
      expect(published).toHaveLength(3);
    } finally {
      await runner.close();
    }
  });
});

describe('DeliveryWorker under a lease', () => {
  let server: Server;
  let url: string;
  let hits = 0;

  beforeEach(async () => {
    hits = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  it('leaves the outbox to the owner, and works it once this node gains the lease', async () => {
    const repo = new NotificationsRepository(f.db);
    const ownership = new ManualOwnership();
    const worker = new DeliveryWorker({ repo, log: quiet, pollMs: 20, backoffMs: 20, ownership });
    const svc = new NotificationsService({ repo, policy: f.policy, organizations: f.organizations, worker, audit: f.trace, now: () => f.clock.now });
    try {
      worker.start();
      const ex = await svc.adminCreateExecutor(f.admin, { name: 'ex', organization_id: f.orgs.root, type: 'webhook', config: { url } });
      const msg = await svc.createMessage(f.admin, installationId, { name: 'm', text: 'hello' });
      const out = await svc.createOutput(f.admin, installationId, { name: 'o', notification_output_executor_id: ex.id, notification_message_id: msg.id, config: {} });
      const sent = await svc.send(f.admin, installationId, out.id, { value: 1 });
      // Several polls later nothing went out: another node owns the outbox.
      await new Promise((r) => setTimeout(r, 150));
      expect(hits).toBe(0);
      expect((await repo.delivery(sent.delivery_id))?.status).toBe('pending');

      ownership.set(deliveryWork, true);
      await until(async () => (await repo.delivery(sent.delivery_id))?.status === 'sent', 'the delivery');
      expect(hits).toBe(1);
    } finally {
      await worker.close();
    }
  });
});

describe('EdgeRuntime under a lease', () => {
  it('runs the instances only while owning: started on gaining, stopped on losing', async () => {
    const edge = createEdgeApps({ db: f.db, policy: f.policy, organizations: f.organizations, changes: { changed: () => {} }, audit: f.trace, now: () => f.clock.now, runtime: () => undefined });
    const app = await edge.catalogue.create(f.admin, { name: 'Hello', category: 'c', publisher: { id: f.orgs.root } });
    const version = await edge.catalogue.uploadVersion(f.admin, app.id, { lua: 'function onStart()\n  print("hi")\nend\n', json: '{}' });
    await edge.catalogue.publish(f.admin, app.id, { name: '1.0.0', hash: version.hash });
    const instance = await edge.instances.create(f.admin, installationId, { app_id: app.id, installation_id: installationId, version: '1.0.0', config: {}, name: 'hello' });
    const ownership = new ManualOwnership();
    const runtime = new EdgeRuntime({
      db: f.db,
      index: f.index,
      policy: f.policy,
      services: () => ({ functions: f.functions, devices: f.devices, data: undefined as never }),
      publish: async () => {},
      logger: pino({ level: 'silent' }),
      ownership,
    });
    const state = async () => runtime.instanceStatus(f.admin, installationId, instance.id);
    try {
      await runtime.start();
      expect(await state()).toMatchObject({ state: 'stopped', reason: 'runs on another node of the cluster' });
      // A change on this node does not start it here either.
      runtime.instanceChanged(installationId, instance.id);
      await new Promise((r) => setTimeout(r, 50));
      expect((await state()).state).toBe('stopped');

      ownership.set(edgeAppsWork, true);
      await until(async () => (await state()).state === 'running', 'the instance to run');
      ownership.set(edgeAppsWork, false);
      await until(async () => (await state()).reason === 'runs on another node of the cluster', 'the instance to stop');
      expect((await state()).state).toBe('stopped');
    } finally {
      await runtime.close();
    }
  });
});
