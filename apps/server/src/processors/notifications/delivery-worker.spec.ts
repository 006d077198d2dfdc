// The outbox end to end on a real store: sends through the service, the worker delivering to a
// local HTTP receiver and a local SMTP server started here, retries, failures and their reasons.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpReceiver } from '../../aam/services/smtp-test-fixture.js';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import { DeliveryWorker } from './delivery-worker.js';
import { NotificationsService } from './notifications-service.js';
import { NotificationsRepository } from './repository.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** An HTTP receiver answering each request with the next status of `statuses` (the last repeats). */
async function startReceiver(statuses: number[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? 'receiver says no' : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let f: AamFixture;
let worker: DeliveryWorker;
let svc: NotificationsService;
let installationId: number;
let clientId: number;
const warnings: object[] = [];

beforeEach(async () => {
  f = await createAamFixture();
  const repo = new NotificationsRepository(f.db);
  worker = new DeliveryWorker({
    repo,
    log: { warn: (o) => warnings.push(o), error: (o) => warnings.push(o) },
    maxAttempts: 3,
    backoffMs: 20,
    pollMs: 20,
    concurrency: 2,
    timeoutMs: 5000,
  });
  svc = new NotificationsService({ repo, policy: f.policy, organizations: f.organizations, worker, audit: f.trace, now: () => f.clock.now });
  worker.start();
  await f.db.organization.update({ where: { id: f.orgs.child }, data: { email: 'ops@child.test', city: 'Lund', zip: '22100', street: 'Gatan 1', country: 'SE', phone: '1', notes: 'n' } });
  const inst = await f.installations.create(f.admin, { name: 'Cabin', organization_id: f.orgs.child, timezone: 'Europe/Stockholm' });
  installationId = inst.id;
  clientId = inst.client_id;
});

afterEach(async () => {
  await worker.close();
  await f.close();
});

async function output(executor: { type: string; config: Record<string, string>; secret?: string; organization_id?: number }, text: string, config: Record<string, string> = {}) {
  const ex = await svc.adminCreateExecutor(f.admin, { name: 'ex', organization_id: f.orgs.root, ...executor });
  const msg = await svc.createMessage(f.admin, installationId, { name: 'm', text });
  return svc.createOutput(f.admin, installationId, { name: 'o', notification_output_executor_id: ex.id, notification_message_id: msg.id, config });
}

const delivery = async (id: number) => (await svc.deliveries(f.admin, installationId)).deliveries.find((d) => d.id === id);

describe('webhook executor', () => {
  it('POSTs the exact executor payload with X-API-Key, retrying a 500 until it succeeds', async () => {
    const rx = await startReceiver([500, 200]);
    try {
      const out = await output(
        { type: 'webhook', config: { url: rx.url, region: 'eu' }, secret: 's3cret' },
        '{{.installation.Name}}: {{.payload.value | printf "%.1f"}} at {{(toTime .payload.t).Format "15:04 MST"}}',
        { receivers: '{{.organization.Email}}', fixed: 'x' },
      );
      const sent = await svc.send(f.admin, installationId, out.id, { value: 21.46, t: 1700000000, nested: { a: [1, 'b'] } });
      expect(sent.message).toContain('queued');
      const done = await until(async () => {
        const d = await delivery(sent.delivery_id);
        return d?.status === 'sent' && d;
      }, 'delivery sent');
      expect(done).toMatchObject({ status: 'sent', attempts: 2, last_error: '', message: 'Cabin: 21.5 at 23:13 CET' });
      expect(rx.received).toHaveLength(2);
      expect(rx.received[1].headers['x-api-key']).toBe('s3cret');
      expect(rx.received[1].headers['content-type']).toBe('application/json');
      expect(rx.received[1].body).toStrictEqual({
        message: 'Cabin: 21.5 at 23:13 CET',
        output_config: { receivers: 'ops@child.test', fixed: 'x' },
        executor_config: { url: rx.url, region: 'eu' },
        organization: {
          id: f.orgs.child,
          name: 'child',
          address: { address: 'Gatan 1', city: 'Lund', country: 'SE', zip: '22100' },
          email: 'ops@child.test',
          phone: '1',
          notes: 'n',
          force_sms_login: false,
          parent: f.orgs.root,
          children: [],
          password_valid_days: 0,
          meta: {},
          protected_meta: {},
        },
        installation: { id: installationId, client_id: clientId, name: 'Cabin', timezone: 'Europe/Stockholm', capabilities: [], organization_id: f.orgs.child, assigned: false },
        payload: { value: 21.46, t: 1700000000, nested: { a: [1, 'b'] } },
      });
      // The first attempt's body was the same payload.
      expect(rx.received[0].body).toStrictEqual(rx.received[1].body);
    } finally {
      await rx.close();
    }
  });

  it('marks the delivery failed with the reason after the last attempt', async () => {
    const rx = await startReceiver([500]);
    try {
      const out = await output({ type: 'webhook', config: { url: rx.url } }, 'hello');
      const sent = await svc.send(f.admin, installationId, out.id, {});
      const failed = await until(async () => {
        const d = await delivery(sent.delivery_id);
        return d?.status === 'failed' && d;
      }, 'delivery failed');
      expect(failed.attempts).toBe(3);
      expect(failed.last_error).toBe(`webhook ${rx.url} answered HTTP 500: receiver says no`);
      expect(rx.received).toHaveLength(3);
      expect(rx.received[0].headers['x-api-key']).toBeUndefined();
      expect((await svc.deliveries(f.admin, installationId)).counts).toEqual({ pending: 0, sent: 0, failed: 1 });
    } finally {
      await rx.close();
    }
  });

  it('records an unreachable receiver as the reason', async () => {
    const rx = await startReceiver([200]);
    await rx.close();
    const out = await output({ type: 'webhook', config: { url: rx.url } }, 'hello');
    const sent = await svc.send(f.admin, installationId, out.id, {});
    const failed = await until(async () => {
      const d = await delivery(sent.delivery_id);
      return d?.status === 'failed' && d;
    }, 'delivery failed');
    expect(failed.last_error).toBe(`webhook ${rx.url} unreachable: ECONNREFUSED`);
  });

  it('refuses a link-local (cloud metadata) receiver when the executor is saved', async () => {
    await expect(output({ type: 'webhook', config: { url: 'http://169.254.169.254/latest/meta-data/' } }, 'hello')).rejects.toThrow(
      'config.url is refused: 169.254.169.254: requests to link-local (cloud metadata) addresses are not allowed',
    );
  });

  it('a receiver that never answers does not hold up other deliveries', async () => {
    const hanging = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const rx = await startReceiver([200]);
    try {
      const slow = await output({ type: 'webhook', config: { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/` } }, 'slow');
      const fast = await output({ type: 'webhook', config: { url: rx.url } }, 'fast');
      const first = await svc.send(f.admin, installationId, slow.id, {});
      const second = await svc.send(f.admin, installationId, fast.id, {});
      await until(async () => (await delivery(second.delivery_id))?.status === 'sent', 'fast delivery sent');
      expect((await delivery(first.delivery_id))?.status).toBe('pending');
      expect(rx.received.map((r) => (r.body as { message: string }).message)).toEqual(['fast']);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
      await rx.close();
    }
  });
});

describe('email executor', () => {
  it('sends the rendered message to every receiver through SMTP with login', async () => {
    const smtp = await startSmtpReceiver({ user: 'mailer', password: 'pw' });
    const mails = smtp.mails;
    try {
      const port = String(smtp.port);
      const out = await output(
        { type: 'email', config: { host: '127.0.0.1', port, user: 'mailer', tls: 'false', from: 'lynx@example.com' }, secret: 'pw' },
        'Temperature in {{.installation.Name}} is {{.payload.value}}',
        { receivers: 'a@example.com, b@example.com', subject: 'Alarm {{.installation.Name}}' },
      );
      const sent = await svc.send(f.admin, installationId, out.id, { value: 30 });
      await until(async () => (await delivery(sent.delivery_id))?.status === 'sent', 'mail sent');
      expect(mails).toHaveLength(1);
      expect(mails[0].from).toBe('lynx@example.com');
      expect(mails[0].to).toEqual(['a@example.com', 'b@example.com']);
      expect(mails[0].data).toMatch(/^Subject: Alarm Cabin$/m);
      expect(mails[0].data).toContain('Temperature in Cabin is 30');
    } finally {
      await smtp.close();
    }
  });

  it('fails at once, without retries, when the output has no receivers', async () => {
    const out = await output({ type: 'email', config: { host: '127.0.0.1', port: '1', from: 'x@example.com' } }, 'x');
    const sent = await svc.send(f.admin, installationId, out.id, {});
    const failed = await until(async () => {
      const d = await delivery(sent.delivery_id);
      return d?.status === 'failed' && d;
    }, 'delivery failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain('no receivers');
  });
});

describe('delivery history', () => {
  it('prunes finished deliveries past the retention and never a pending one', async () => {
    const rx = await startReceiver([200]);
    const stalled = await output({ type: 'webhook', config: { url: 'http://127.0.0.1:1/' } }, 'never');
    try {
      const out = await output({ type: 'webhook', config: { url: rx.url } }, 'hello');
      const sent = await svc.send(f.admin, installationId, out.id, {});
      await until(async () => (await delivery(sent.delivery_id))?.status === 'sent', 'delivery sent');
      await worker.close();
      // Queued after the worker stopped: stays pending however old it gets.
      const pending = await svc.send(f.admin, installationId, stalled.id, {});
      // The worker stamps rows with the real clock.
      f.clock.now = Math.floor(Date.now() / 1000) + 31 * 86_400;
      expect(await svc.pruneDeliveries(0)).toBe(0);
      expect(await svc.pruneDeliveries(30)).toBe(1);
      const left = (await svc.deliveries(f.admin, installationId)).deliveries.map((d) => [d.id, d.status]);
      expect(left).toEqual([[pending.delivery_id, 'pending']]);
    } finally {
      await rx.close();
    }
  });
});

describe('service rules', () => {
  it('refuses a message that does not compile, naming the position', async () => {
    await expect(svc.createMessage(f.admin, installationId, { name: 'm', text: 'a {{nope .x}}' })).rejects.toThrow('invalid text: template: line 1, column 5: function "nope" not defined');
  });
  it('refuses an output whose executor belongs to another branch of the tree', async () => {
    const ex = await svc.adminCreateExecutor(f.admin, { name: 'sib', type: 'webhook', organization_id: f.orgs.sibling, config: { url: 'http://127.0.0.1:1/' } });
    const msg = await svc.createMessage(f.admin, installationId, { name: 'm', text: 'x' });
    await expect(svc.createOutput(f.admin, installationId, { name: 'o', notification_output_executor_id: ex.id, notification_message_id: msg.id })).rejects.toThrow(
      `executor ${ex.id} is not available to installation ${installationId}`,
    );
    expect((await svc.listExecutors(f.admin, installationId)).map((e) => e.id)).not.toContain(ex.id);
  });
  it('masks the secret in answers and keeps it when the mask is sent back', async () => {
    const ex = await svc.adminCreateExecutor(f.admin, { name: 'e', type: 'webhook', organization_id: f.orgs.child, config: { url: 'http://127.0.0.1:1/' }, secret: 'k' });
    expect(ex.secret).toBe('********');
    const again = await svc.adminUpdateExecutor(f.admin, ex.id, { ...ex, name: 'e2' });
    expect(again.secret).toBe('********');
    expect((await new NotificationsRepository(f.db).executor(ex.id))?.secret).toBe('k');
    const cleared = await svc.adminUpdateExecutor(f.admin, ex.id, { ...ex, secret: '' });
    expect(cleared.secret).toBe('');
  });
  it('an organization admin cannot see executors outside its subtree', async () => {
    const root = await svc.adminCreateExecutor(f.admin, { name: 'r', type: 'webhook', organization_id: f.orgs.root, config: { url: 'http://127.0.0.1:1/' } });
    await expect(svc.adminGetExecutor(f.childAdmin, root.id)).rejects.toThrow(`executor ${root.id} not found`);
    await expect(svc.adminCreateExecutor(f.childAdmin, { name: 'r', type: 'webhook', organization_id: f.orgs.root, config: { url: 'http://x/' } })).rejects.toThrow('not found');
    // ... but installations of its organization may use the root's executors.
    expect((await svc.listExecutors(f.childAdmin, installationId)).map((e) => e.id)).toContain(root.id);
  });
});
