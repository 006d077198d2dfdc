// notifications.* through createCallerFactory over a real store and a running delivery worker:
// the UI's CRUD, send, and the delivery overview with failure reasons and counts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import type { Principal } from '../../aam/principal.js';
import { DeliveryWorker } from '../../processors/notifications/delivery-worker.js';
import { NotificationsService } from '../../processors/notifications/notifications-service.js';
import { NotificationsRepository } from '../../processors/notifications/repository.js';
import type { AppServices } from '../../services.js';
import { appRouter } from './router.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);
let f: AamFixture;
let worker: DeliveryWorker;
let services: AppServices;

beforeEach(async () => {
  f = await createAamFixture();
  const repo = new NotificationsRepository(f.db);
  worker = new DeliveryWorker({ repo, log: { warn: () => {}, error: () => {} }, maxAttempts: 2, backoffMs: 10, pollMs: 20 });
  worker.start();
  services = { notifications: new NotificationsService({ repo, policy: f.policy, organizations: f.organizations, worker, audit: f.trace }) } as unknown as AppServices;
});
afterEach(async () => {
  await worker.close();
  await f.close();
});

const caller = (p: Principal | null) => createCaller({ services, principal: p });

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('notifications procedures', () => {
  it('create, list, send and report a failed delivery with its reason and the failure count', async () => {
    const admin = caller(f.admin);
    const inst = await f.installations.create(f.admin, { name: 'Cabin', organization_id: f.orgs.child });
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const ex = await admin.notifications.executors.create({ organizationId: f.orgs.root, type: 'webhook', name: 'hook', config: { url } });
    expect((await admin.notifications.executors.list({ installationId: inst.id })).map((e) => e.id)).toEqual([ex.id]);
    expect((await admin.notifications.executors.list()).map((e) => e.id)).toEqual([ex.id]);
    await expect(admin.notifications.messages.create({ installationId: inst.id, name: 'm', text: '{{.x' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'invalid text: template: line 1, column 5: unclosed action',
    });
    const msg = await admin.notifications.messages.create({ installationId: inst.id, name: 'm', text: 'hi {{.payload.who}}' });
    const out = await admin.notifications.outputs.create({ installationId: inst.id, name: 'o', executorId: ex.id, messageId: msg.id });
    expect(await admin.notifications.outputs.list({ installationId: inst.id })).toEqual([out]);
    const sent = await admin.notifications.send({ installationId: inst.id, outputId: out.id, payload: { who: 'you' } });

    let overview = await admin.notifications.deliveries({ installationId: inst.id });
    for (let i = 0; i < 500 && overview.deliveries[0]?.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      overview = await admin.notifications.deliveries({ installationId: inst.id });
    }
    expect(overview.deliveries).toHaveLength(1);
    expect(overview.deliveries[0]).toMatchObject({ id: sent.delivery_id, output_id: out.id, status: 'failed', attempts: 2, message: 'hi you', last_error: `webhook ${url} unreachable: ECONNREFUSED` });
    expect(overview.counts).toEqual({ pending: 0, sent: 0, failed: 1 });

    expect(await admin.notifications.messages.update({ installationId: inst.id, id: msg.id, name: 'm2', text: 'x' })).toMatchObject({ name: 'm2' });
    await admin.notifications.outputs.delete({ installationId: inst.id, id: out.id });
    expect((await admin.notifications.deliveries({ installationId: inst.id })).counts).toEqual({ pending: 0, sent: 0, failed: 0 });
    await admin.notifications.messages.delete({ installationId: inst.id, id: msg.id });
    await admin.notifications.executors.delete({ id: ex.id });
    expect(await admin.notifications.executors.list()).toEqual([]);
  });

  it('maps refusals to tRPC codes', async () => {
    const inst = await f.installations.create(f.admin, { name: 'Cabin', organization_id: f.orgs.root });
    await expect(caller(null).notifications.deliveries({ installationId: inst.id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    // The plain user is not assigned: the installation is invisible to it.
    await expect(caller(f.user).notifications.messages.list({ installationId: inst.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller(f.user).notifications.executors.create({ organizationId: f.orgs.root, type: 'webhook', name: 'x', config: { url: 'http://x/' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
