// The access matrix (spec 1.4, 3.4) against one real server: who may do what with which
// installation, organization and user, over REST and MQTT. The expectations are the tables below
// and every test is generated from them: a new principal is a row, a new operation an entry in
// `installationOps` / `organizationOps` / `globalOps` with its level.
//
// The world: sibling organizations A and B under the root, installations A1, A2 in A and B1, B2
// in B. `/all` permissions reach the caller's organization subtree, `/assigned` the installations
// the user is assigned to. Refusals are 403 or 404 with a {message}, never a 2xx or 5xx; an
// installation the caller cannot even list is always 404, so ids of other tenants do not leak.
import { randomUUID } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { organizationAdminPermissions } from '@lynx/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, LynxHttp, type Reply } from './helpers/lynx-http.js';
import { connectMqtt, eventually, publishAsync, subscribeGranted } from './helpers/mqtt-client.js';
import { createGatewayCredentials, createLoggedInUser, gatewayClient, roleIds } from './helpers/principals.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { TopicRecorder } from './helpers/topic-recorder.js';

type Who = 'admin' | 'orgAdminA' | 'userA1' | 'userA0' | 'viewerA1' | 'userB1' | 'tokenA' | 'gatewayA1';
type Inst = 'A1' | 'A2' | 'B1' | 'B2';
type Org = 'A' | 'B';

const everyone: Who[] = ['admin', 'orgAdminA', 'userA1', 'userA0', 'viewerA1', 'userB1', 'tokenA', 'gatewayA1'];
const allInst: Inst[] = ['A1', 'A2', 'B1', 'B2'];
const A: Inst[] = ['A1', 'A2'];

// ---------------------------------------------------------------------------------------------
// Expectations: installations. `read` = the installation, its meta, devices, functions, status and
// log; `work` = create/update/delete devices and functions and their meta; `manage` = update and
// delete the installation and its meta.
// ---------------------------------------------------------------------------------------------
type Level = 'read' | 'work' | 'manage';
type InstallationRights = Record<Level | 'subscribe' | 'publish', Inst[]>;
const rights = (read: Inst[], work: Inst[], manage: Inst[], subscribe: Inst[], publish: Inst[]): InstallationRights => ({ read, work, manage, subscribe, publish });

const installationTable: Record<Who, InstallationRights> = {
  //                 read       work      manage    MQTT subscribe  MQTT publish
  admin: rights(allInst, allInst, allInst, allInst, allInst),
  orgAdminA: rights(A, A, A, A, A),
  userA1: rights(['A1'], ['A1'], [], ['A1'], ['A1']),
  userA0: rights([], [], [], [], []),
  viewerA1: rights(['A1'], [], [], ['A1'], []),
  userB1: rights(['B1'], ['B1'], [], ['B1'], ['B1']),
  // The org admin's API token narrowed to list/read keys and MQTT subscribe (a Grafana-style key).
  tokenA: rights(A, [], [], A, []),
  // A gateway works on its own installation like an assigned user (edge apps create functions,
  // read status), and never reaches past it (spec 3.4: restricted to its own client_id/#).
  gatewayA1: rights(['A1'], ['A1'], [], ['A1'], ['A1']),
};

// ---------------------------------------------------------------------------------------------
// Expectations: organizations, users, roles. Per principal, the operations allowed on organization
// A (and things in it), on B, and the global ones.
// ---------------------------------------------------------------------------------------------
const organizationOps = [
  'user read',
  'user update',
  'user delete',
  'organization read',
  'organization update',
  'sub-organization create',
  'sub-organization delete',
  'installation create',
] as const;
type OrganizationOp = (typeof organizationOps)[number];
const globalOps = ['user list', 'role list', 'role create', 'own token create', 'own profile update', 'own two-factor enrolment'] as const;
type GlobalOp = (typeof globalOps)[number];
type OrganizationRights = { A: readonly OrganizationOp[]; B: readonly OrganizationOp[]; global: readonly GlobalOp[] };

const asAnyUser: GlobalOp[] = ['role list', 'own token create', 'own profile update', 'own two-factor enrolment'];
const organizationTable: Record<Who, OrganizationRights> = {
  admin: { A: organizationOps, B: organizationOps, global: globalOps },
  orgAdminA: { A: organizationOps, B: [], global: ['user list', ...asAnyUser] },
  userA1: { A: [], B: [], global: asAnyUser },
  userA0: { A: [], B: [], global: asAnyUser },
  viewerA1: { A: [], B: [], global: asAnyUser },
  userB1: { A: [], B: [], global: asAnyUser },
  // Read-only: it may look, but not create tokens or change the account it belongs to (a changed
  // e-mail hands the account to whoever holds the key via password reset; an authenticator
  // enrolled by the key holder locks the owner out of password login).
  tokenA: { A: ['user read', 'organization read'], B: [], global: ['user list', 'role list'] },
  gatewayA1: { A: [], B: [], global: [] },
};

/** The permission subset of tokenA: the org admin's list/read keys plus MQTT subscribe. */
const readOnlyKeys = [...organizationAdminPermissions.filter((k) => /(^|\/)(list|read)(\/|$)/.test(k)), 'mqtt/subscribe/all'];

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------
interface InstallationFixture {
  id: number;
  client_id: number;
  organization_id: number;
  users: number[];
  device: number;
  function: number;
}

const tag = randomUUID().slice(0, 8);
let server: ServerProcess;
let admin: LynxHttp;
let adminToken: string;
const orgs = {} as Record<Org, number>;
const inst = {} as Record<Inst, InstallationFixture>;
const victims = {} as Record<Org, { id: number; email: string }>;
const rest: Partial<Record<Who, LynxHttp>> = {};
const userIds: Partial<Record<Who, number>> = {};
const mqttLogin: Partial<Record<Who, IClientOptions>> = {};
let gatewayProblem = '';
const mqttClients: MqttClient[] = [];
let watcher: TopicRecorder;

const seedTopic = 'obj/seed';
const seedValue = 42;

beforeAll(async () => {
  server = await startServerProcess();
  const anon = new LynxHttp(server.httpUrl);
  ({ client: admin, token: adminToken } = await anon.login(server.adminEmail, server.adminPassword));
  rest.admin = admin;
  mqttLogin.admin = { username: 'apikey', password: adminToken };
  userIds.admin = expectOk(await admin.get('/api/v2/user/me')).id;
  const roles = await roleIds(admin);

  for (const org of ['A', 'B'] as const) orgs[org] = expectOk(await admin.post('/api/v2/organization', { name: `${org} ${tag}` })).id;
  for (const label of allInst) {
    const created = expectOk(await admin.post('/api/v2/installation', { name: label, organization_id: orgs[label[0] as Org], meta: { site: 'seed' } }));
    inst[label] = { ...created, device: 0, function: 0 };
  }
  for (const org of ['A', 'B'] as const) {
    const email = `victim-${org.toLowerCase()}-${tag}@example.com`;
    victims[org] = { id: expectOk(await admin.post('/api/v2/user', { email, password: 'victim-password', role: roles.user, organisations: [orgs[org]] })).id, email };
  }

  const people: [Who, { role: string; org: Org; assigned: Inst[] }][] = [
    ['orgAdminA', { role: 'organization admin', org: 'A', assigned: [] }],
    ['userA1', { role: 'user', org: 'A', assigned: ['A1'] }],
    ['userA0', { role: 'user', org: 'A', assigned: [] }],
    ['viewerA1', { role: 'viewer', org: 'A', assigned: ['A1'] }],
    ['userB1', { role: 'user', org: 'B', assigned: ['B1'] }],
  ];
  for (const [who, p] of people) {
    const user = await createLoggedInUser(admin, {
      email: `${who.toLowerCase()}-${tag}@example.com`,
      role: roles[p.role],
      organisations: [orgs[p.org]],
      assigned_installations: p.assigned.map((l) => inst[l].id),
    });
    rest[who] = user.client;
    userIds[who] = user.id;
    mqttLogin[who] = { username: 'apikey', password: user.token };
  }
  const narrowed = expectOk(await rest.orgAdminA!.post('/api/v2/user/me/security/token', { name: 'read-only', permissions: readOnlyKeys }));
  rest.tokenA = rest.orgAdminA!.withKey(narrowed.token);
  userIds.tokenA = userIds.orgAdminA;
  mqttLogin.tokenA = { username: 'grafana', password: narrowed.token };

  // The gateway endpoint may not exist yet; its rows then fail with this reason, the rest runs.
  try {
    const gw = await createGatewayCredentials(admin, inst.A1.id);
    rest.gatewayA1 = gatewayClient(server.httpUrl, gw);
    mqttLogin.gatewayA1 = { username: gw.mqtt_username, password: gw.mqtt_password, clientId: gw.mqtt_client_id };
  } catch (err) {
    gatewayProblem = (err as Error).message;
  }

  // Seed objects and one stored value per installation, then reread assignments.
  const { client: adminMqtt, recorder } = await mqttFor('admin');
  watcher = recorder;
  for (const label of allInst) {
    const i = inst[label];
    i.device = expectOk(await admin.post(`/api/v2/devicex/${i.id}`, { type: 'seed', meta: { name: 'seed' } })).id;
    i.function = expectOk(await admin.post(`/api/v2/functionx/${i.id}`, { type: 'seed', meta: { name: 'seed' } })).id;
    await adminMqtt.subscribeAsync(`${i.client_id}/#`, { qos: 1 });
    await publishAsync(adminMqtt, `${i.client_id}/${seedTopic}`, { value: seedValue, timestamp: Date.now() / 1000 }, 1);
    Object.assign(i, { users: expectOk(await admin.get(`/api/v2/installation/${i.id}`)).users });
  }
}, 120_000);

afterAll(async () => {
  for (const c of mqttClients) c.end(true);
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
});

function as(who: Who): LynxHttp {
  const client = rest[who];
  if (!client) throw new Error(`no REST credentials for ${who}: ${gatewayProblem || 'not set up'}`);
  return client;
}

const connections = new Map<Who, Promise<{ client: MqttClient; recorder: TopicRecorder }>>();

/** One MQTT connection per principal (a gateway has one client id), with what it received. */
function mqttFor(who: Who): Promise<{ client: MqttClient; recorder: TopicRecorder }> {
  let conn = connections.get(who);
  if (!conn) {
    conn = (async () => {
      const login = mqttLogin[who];
      if (!login) throw new Error(`no MQTT credentials for ${who}: ${gatewayProblem || 'not set up'}`);
      const client = await connectMqtt(server.mqttUrl, { clientId: `iso-${who}-${tag}`, ...login });
      mqttClients.push(client);
      return { client, recorder: new TopicRecorder(client) };
    })();
    connections.set(who, conn);
  }
  return conn;
}

async function mqtt(who: Who): Promise<MqttClient> {
  return (await mqttFor(who)).client;
}

/** A refusal: 403 or 404 as expected, with a message, and never a success or a server error. */
function expectRefused(reply: Reply, statuses: number[], what: string): void {
  expect(statuses, `${what} answered ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`).toContain(reply.status);
  expect(typeof (reply.body as { message?: unknown })?.message, `${what}: refusal without {message}`).toBe('string');
}

function expectAllowed(reply: Reply, what: string): void {
  expect(reply.status, `${what} answered ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`).toBe(200);
}

// ---------------------------------------------------------------------------------------------
// Operations on one installation: each does its request as the principal and returns how to
// check the effect (present when allowed, absent when refused), read back as the admin.
// ---------------------------------------------------------------------------------------------
interface Target {
  who: Who;
  label: Inst;
  i: InstallationFixture;
}
interface Attempt {
  reply: Reply<any>;
  /** Checks the effect is there when allowed and absent when refused. */
  verify(allowed: boolean): Promise<unknown>;
}
interface InstallationOp {
  level: Level;
  attempt(client: LynxHttp, t: Target): Promise<Attempt>;
}

function xObjectOps(kind: 'devicex' | 'functionx'): Record<string, InstallationOp> {
  const seed = (t: Target) => (kind === 'devicex' ? t.i.device : t.i.function);
  const path = (t: Target, id?: number) => `/api/v2/${kind}/${t.i.id}${id === undefined ? '' : `/${id}`}`;
  return {
    [`${kind} list`]: {
      level: 'read',
      attempt: async (c, t) => {
        const reply = await c.get(path(t));
        return { reply, verify: async (ok) => ok && expect(reply.body.map((o: { id: number }) => o.id)).toContain(seed(t)) };
      },
    },
    [`${kind} read`]: {
      level: 'read',
      attempt: async (c, t) => {
        const reply = await c.get(path(t, seed(t)));
        return { reply, verify: async (ok) => ok && expect(reply.body).toMatchObject({ id: seed(t), installation_id: t.i.id }) };
      },
    },
    [`${kind} meta read`]: {
      level: 'read',
      attempt: async (c, t) => {
        const reply = await c.get(`${path(t, seed(t))}/meta/name`);
        return { reply, verify: async (ok) => ok && expect(reply.body).toEqual({ value: 'seed', protected: false }) };
      },
    },
    [`${kind} create`]: {
      level: 'work',
      attempt: async (c, t) => {
        const name = `${t.who} made this`;
        const reply = await c.post(path(t), { type: 'iso', installation_id: t.i.id, meta: { name } });
        return {
          reply,
          verify: async (ok) => {
            const listed = expectOk(await admin.get(`${path(t)}?name=${encodeURIComponent(name)}`));
            expect(listed.length).toBe(ok ? 1 : 0);
            if (ok) expect(listed[0].id).toBe(reply.body.id);
          },
        };
      },
    },
    [`${kind} update`]: {
      level: 'work',
      attempt: async (c, t) => {
        const type = `updated by ${t.who}`;
        const reply = await c.put(path(t, seed(t)), { type });
        return { reply, verify: async (ok) => expect(expectOk(await admin.get(path(t, seed(t)))).type === type).toBe(ok) };
      },
    },
    [`${kind} meta write`]: {
      level: 'work',
      attempt: async (c, t) => {
        const key = `by-${t.who}`;
        const reply = await c.put(`${path(t, seed(t))}/meta/${key}?create_missing=true`, { value: 'x', protected: false });
        return { reply, verify: async (ok) => expect((await admin.get(`${path(t, seed(t))}/meta/${key}`)).status).toBe(ok ? 200 : 404) };
      },
    },
    [`${kind} delete`]: {
      level: 'work',
      attempt: async (c, t) => {
        const fresh = expectOk(await admin.post(path(t), { type: 'doomed', meta: {} })).id;
        const reply = await c.delete(path(t, fresh));
        return { reply, verify: async (ok) => expect((await admin.get(path(t, fresh))).status).toBe(ok ? 404 : 200) };
      },
    },
  };
}

const installationOps: Record<string, InstallationOp> = {
  'installation read': {
    level: 'read',
    attempt: async (c, t) => {
      const reply = await c.get(`/api/v2/installation/${t.i.id}`);
      return { reply, verify: async (ok) => ok && expect(reply.body).toMatchObject({ id: t.i.id, client_id: t.i.client_id }) };
    },
  },
  'installationinfo by client id': {
    level: 'read',
    attempt: async (c, t) => {
      const reply = await c.get(`/api/v2/installationinfo/${t.i.client_id}`);
      return { reply, verify: async (ok) => ok && expect(reply.body).toMatchObject({ id: t.i.id, client_id: t.i.client_id }) };
    },
  },
  'installation meta read': {
    level: 'read',
    attempt: async (c, t) => {
      const reply = await c.get(`/api/v2/installation/${t.i.id}/meta/site`);
      return { reply, verify: async (ok) => ok && expect(reply.body).toEqual({ value: 'seed', protected: false }) };
    },
  },
  ...xObjectOps('devicex'),
  ...xObjectOps('functionx'),
  'status read': {
    level: 'read',
    attempt: async (c, t) => {
      const reply = await c.get(`/api/v2/status/${t.i.id}`);
      return { reply, verify: async (ok) => ok && expect(reply.body).toContainEqual(expect.objectContaining({ topic: seedTopic, value: seedValue })) };
    },
  },
  'status read (POST)': {
    level: 'read',
    attempt: async (c, t) => {
      const reply = await c.post(`/api/v2/status/${t.i.id}`, [seedTopic]);
      return { reply, verify: async (ok) => ok && expect(reply.body).toEqual([expect.objectContaining({ topic: seedTopic, value: seedValue })]) };
    },
  },
  'log read': {
    level: 'read',
    attempt: async (c, t) => {
      const reply = await c.get(`/api/v3beta/log/${t.i.id}?topics=${seedTopic}`);
      return {
        reply,
        verify: async (ok) => ok && expect(reply.body.data).toContainEqual(expect.objectContaining({ topic: `${t.i.client_id}/${seedTopic}`, value: seedValue })),
      };
    },
  },
  'installation update': {
    level: 'manage',
    attempt: async (c, t) => {
      const notes = `notes by ${t.who}`;
      const reply = await c.put(`/api/v2/installation/${t.i.id}`, { notes });
      return { reply, verify: async (ok) => expect(expectOk(await admin.get(`/api/v2/installation/${t.i.id}`)).notes === notes).toBe(ok) };
    },
  },
  'installation meta write': {
    level: 'manage',
    attempt: async (c, t) => {
      const key = `by-${t.who}`;
      const reply = await c.put(`/api/v2/installation/${t.i.id}/meta/${key}?create_missing=true`, { value: 'x', protected: false });
      return { reply, verify: async (ok) => expect((await admin.get(`/api/v2/installation/${t.i.id}/meta/${key}`)).status).toBe(ok ? 200 : 404) };
    },
  },
};

/** A copy of the target with the same organization and assigned users, hence the same reach. */
async function copyOf(t: Target): Promise<number> {
  return expectOk(await admin.post('/api/v2/installation', { name: `copy of ${t.label}`, organization_id: t.i.organization_id, users: t.i.users })).id;
}

/**
 * Operations that would spoil the fixture run on a copy when they should work, and on the
 * installation itself when they should not (so the refusal status is the real one). They run
 * last: a wrongly allowed one takes the fixture (or the gateway's credentials) with it.
 */
const destructiveOps: Record<string, InstallationOp> = {
  // Issuing credentials replaces the installation's previous ones (spec 1.6).
  'gateway credentials issue': {
    level: 'manage',
    attempt: async (c, t) => {
      const id = installationTable[t.who].manage.includes(t.label) ? await copyOf(t) : t.i.id;
      const reply = await c.post(`/api/v2/gateway/credentials/${id}`);
      return {
        reply,
        verify: async (ok) => {
          if (ok) {
            expect(reply.body).toMatchObject({ installation_id: id });
            expect((await gatewayClient(server.httpUrl, reply.body).get(`/api/v2/installation/${id}`)).status).toBe(200);
          } else if (t.label === 'A1' && rest.gatewayA1) {
            // The credentials in use were not replaced.
            expect((await rest.gatewayA1.get(`/api/v2/installation/${id}`)).status).toBe(200);
          }
        },
      };
    },
  },
  'installation delete': {
    level: 'manage',
    attempt: async (c, t) => {
      const id = installationTable[t.who].manage.includes(t.label) ? await copyOf(t) : t.i.id;
      const reply = await c.delete(`/api/v2/installation/${id}`);
      return { reply, verify: async (ok) => expect((await admin.get(`/api/v2/installation/${id}`)).status).toBe(ok ? 404 : 200) };
    },
  },
};

function installationCases(ops: Record<string, InstallationOp>) {
  return Object.entries(ops).flatMap(([op, def]) =>
    everyone.flatMap((who) => allInst.map((label) => ({ name: `${who} ${installationTable[who][def.level].includes(label) ? 'may' : 'may not'} ${op} on ${label}`, who, label, def }))),
  );
}

async function runInstallationCase({ name, who, label, def }: { name: string; who: Who; label: Inst; def: InstallationOp }) {
  const t: Target = { who, label, i: inst[label] };
  const allowed = installationTable[who][def.level].includes(label);
  const { reply, verify } = await def.attempt(as(who), t);
  if (allowed) expectAllowed(reply, name);
  // Visible but not allowed: 403. Not even visible: 404, whatever the operation.
  else expectRefused(reply, installationTable[who].read.includes(label) ? [403] : [404], name);
  await verify(allowed);
}

describe('installation lists show exactly the reachable installations', () => {
  it.each(everyone)('%s', async (who) => {
    const expected = installationTable[who].read.map((l) => inst[l].id).sort((a, b) => a - b);
    const fixtureIds = new Set(allInst.map((l) => inst[l].id));
    for (const path of ['/api/v2/installationinfo', '/api/v2/installationinfo?assigned=false', '/api/v2/installation']) {
      const listed = expectOk(await as(who).get<{ id: number }[]>(path));
      expect(listed.map((i) => i.id).filter((id) => fixtureIds.has(id)).sort((a, b) => a - b), path).toEqual(expected);
    }
  });
});

describe('installation operations over REST', () => {
  it.each(installationCases(installationOps))('$name', runInstallationCase);
});

// ---------------------------------------------------------------------------------------------
// Organizations, users, roles
// ---------------------------------------------------------------------------------------------
type OrgAttempt = (c: LynxHttp, who: Who, org: Org) => Promise<Attempt>;

const organizationAttempts: Record<OrganizationOp, OrgAttempt> = {
  'user read': async (c, _who, org) => {
    const reply = await c.get(`/api/v2/user/${victims[org].id}`);
    return { reply, verify: async (ok) => ok && expect(reply.body).toMatchObject({ id: victims[org].id, email: victims[org].email }) };
  },
  'user update': async (c, who, org) => {
    const first_name = `renamed by ${who}`;
    const reply = await c.put(`/api/v2/user/${victims[org].id}`, { first_name });
    return { reply, verify: async (ok) => expect(expectOk(await admin.get(`/api/v2/user/${victims[org].id}`)).first_name === first_name).toBe(ok) };
  },
  'user delete': async (c, who, org) => {
    const email = `doomed-${who.toLowerCase()}-${org.toLowerCase()}-${tag}@example.com`;
    const fresh = expectOk(await admin.post('/api/v2/user', { email, password: 'doomed-password', organisations: [orgs[org]] })).id;
    const reply = await c.delete(`/api/v2/user/${fresh}`);
    return { reply, verify: async (ok) => expect((await admin.get(`/api/v2/user/${fresh}`)).status).toBe(ok ? 404 : 200) };
  },
  'organization read': async (c, _who, org) => {
    const reply = await c.get(`/api/v2/organization/${orgs[org]}`);
    return { reply, verify: async (ok) => ok && expect(reply.body).toMatchObject({ id: orgs[org] }) };
  },
  'organization update': async (c, who, org) => {
    const notes = `notes by ${who}`;
    const reply = await c.put(`/api/v2/organization/${orgs[org]}`, { notes });
    return { reply, verify: async (ok) => expect(expectOk(await admin.get(`/api/v2/organization/${orgs[org]}`)).notes === notes).toBe(ok) };
  },
  'sub-organization create': async (c, who, org) => {
    const name = `sub of ${org} by ${who} ${tag}`;
    const reply = await c.post('/api/v2/organization', { name, parent: orgs[org] });
    return {
      reply,
      verify: async (ok) => {
        const found = expectOk(await admin.get<{ name: string; parent: number }[]>('/api/v2/organization?minimal=true')).filter((o) => o.name === name);
        expect(found.map((o) => o.parent)).toEqual(ok ? [orgs[org]] : []);
      },
    };
  },
  'sub-organization delete': async (c, who, org) => {
    const fresh = expectOk(await admin.post('/api/v2/organization', { name: `doomed sub of ${org} for ${who}`, parent: orgs[org] })).id;
    const reply = await c.delete(`/api/v2/organization/${fresh}`);
    return { reply, verify: async (ok) => expect((await admin.get(`/api/v2/organization/${fresh}`)).status).toBe(ok ? 404 : 200) };
  },
  'installation create': async (c, who, org) => {
    const name = `new in ${org} by ${who} ${tag}`;
    const reply = await c.post('/api/v2/installation', { name, organization_id: orgs[org] });
    return {
      reply,
      verify: async (ok) => {
        const found = expectOk(await admin.get<{ name: string; organization_id: number }[]>('/api/v2/installation')).filter((i) => i.name === name);
        expect(found.map((i) => i.organization_id)).toEqual(ok ? [orgs[org]] : []);
      },
    };
  },
};

const globalAttempts: Record<GlobalOp, (c: LynxHttp, who: Who) => Promise<Attempt>> = {
  'user list': async (c, who) => {
    const reply = await c.get('/api/v2/user');
    return {
      reply,
      verify: async (ok) => {
        if (!ok) return;
        const ids = reply.body.map((u: { id: number }) => u.id);
        expect(ids).toContain(victims.A.id);
        // Only the admin's subtree holds organization B.
        expect(ids.includes(victims.B.id)).toBe(who === 'admin');
      },
    };
  },
  'role list': async (c) => {
    const reply = await c.get('/api/v2/role');
    return { reply, verify: async (ok) => ok && expect(reply.body.map((r: { name: string }) => r.name)).toContain('viewer') };
  },
  'role create': async (c, who) => {
    const name = `role by ${who} ${tag}`;
    const reply = await c.post('/api/v2/role', { name, priority: 1, permissions: {} });
    return { reply, verify: async (ok) => expect(expectOk(await admin.get('/api/v2/role')).some((r: { name: string }) => r.name === name)).toBe(ok) };
  },
  'own token create': async (c) => {
    const reply = await c.post('/api/v2/user/me/security/token', { name: 'matrix' });
    return { reply, verify: async (ok) => ok && expect((await c.withKey(reply.body.token).get('/api/v2/user/me')).status).toBe(200) };
  },
  'own two-factor enrolment': async (c) => {
    const reply = await c.post('/api/v2/user/me/security/totp');
    return { reply, verify: async (ok) => ok && expect(typeof reply.body.secret).toBe('string') };
  },
  'own profile update': async (c, who) => {
    const first_name = `self-named ${who}`;
    const reply = await c.put('/api/v2/user/me', { first_name });
    return {
      reply,
      verify: async (ok) => {
        const id = userIds[who];
        if (id !== undefined) expect(expectOk(await admin.get(`/api/v2/user/${id}`)).first_name === first_name).toBe(ok);
      },
    };
  },
};

describe('organization, user and role operations over REST', () => {
  const cases = organizationOps.flatMap((op) =>
    everyone.flatMap((who) =>
      (['A', 'B'] as const).map((org) => ({ name: `${who} ${organizationTable[who][org].includes(op) ? 'may' : 'may not'} ${op} in ${org}`, who, org, op })),
    ),
  );
  it.each(cases)('$name', async ({ name, who, org, op }) => {
    const allowed = organizationTable[who][org].includes(op);
    const { reply, verify } = await organizationAttempts[op](as(who), who, org);
    if (allowed) expectAllowed(reply, name);
    else expectRefused(reply, [403, 404], name);
    await verify(allowed);
  });

  const globalCases = globalOps.flatMap((op) => everyone.map((who) => ({ name: `${who} ${organizationTable[who].global.includes(op) ? 'may' : 'may not'} ${op}`, who, op })));
  it.each(globalCases)('$name', async ({ name, who, op }) => {
    const allowed = organizationTable[who].global.includes(op);
    const { reply, verify } = await globalAttempts[op](as(who), who);
    if (allowed) expectAllowed(reply, name);
    else expectRefused(reply, [403, 404], name);
    await verify(allowed);
  });
});

describe('cross-tenant moves and assignments', () => {
  it('reports the narrowed permission map of a token', async () => {
    const map = expectOk(await as('tokenA').get<Record<string, boolean>>('/api/v2/permission'));
    expect(Object.keys(map).filter((k) => map[k]).sort()).toEqual([...readOnlyKeys].sort());
  });

  it('keeps an organization admin from moving its installation into another tenant', async () => {
    const res = await as('orgAdminA').put(`/api/v2/installation/${inst.A2.id}`, { organization_id: orgs.B });
    expectRefused(res, [403], 'move A2 to B');
    expect(expectOk(await admin.get(`/api/v2/installation/${inst.A2.id}`)).organization_id).toBe(orgs.A);
  });

  it('keeps an organization admin from assigning users of another tenant, and does not tell them apart from unknown ids', async () => {
    const current = expectOk(await admin.get(`/api/v2/installation/${inst.A2.id}`)).users;
    const foreign = await as('orgAdminA').put(`/api/v2/installation/${inst.A2.id}`, { users: [...current, victims.B.id] });
    const unknown = await as('orgAdminA').put(`/api/v2/installation/${inst.A2.id}`, { users: [...current, 2_000_000_000] });
    expectRefused(unknown, [400], 'assign an unknown user');
    expectRefused(foreign, [unknown.status], 'assign a user of B');
    expect(foreign.body.message.replace(String(victims.B.id), 'N')).toBe(unknown.body.message.replace('2000000000', 'N'));
    expect(expectOk(await admin.get(`/api/v2/installation/${inst.A2.id}`)).users).toEqual(current);
  });

  it('keeps an organization admin from assigning its users to installations of another tenant', async () => {
    const res = await as('orgAdminA').post('/api/v2/user', {
      email: `reach-${tag}@example.com`,
      password: 'reach-password',
      organisations: [orgs.A],
      assigned_installations: [inst.B1.id],
    });
    // B1 is invisible to A's admin, so it answers like an installation that does not exist (400).
    expectRefused(res, [400, 403, 404], 'create a user of A assigned to B1');
    expect((res.body as { message: string }).message).toBe(`invalid assigned_installations: installation ${inst.B1.id} does not exist`);
    expect(expectOk(await admin.get(`/api/v2/installation/${inst.B1.id}`)).users).toEqual(inst.B1.users);
  });
});

// ---------------------------------------------------------------------------------------------
// MQTT: subscribe to `<client_id>/#` (granted or 0x80), publish to `<client_id>/obj/...` (stored
// and delivered, or dropped while the connection stays up).
// ---------------------------------------------------------------------------------------------
const mqttCases = (kind: 'subscribe' | 'publish') =>
  everyone.flatMap((who) => allInst.map((label) => ({ name: `${who} ${installationTable[who][kind].includes(label) ? 'may' : 'may not'} ${kind} on ${label}`, who, label })));

async function statusOf(label: Inst, topic: string) {
  return expectOk(await admin.get<{ value: number }[]>(`/api/v2/status/${inst[label].id}?topics=${topic}`));
}

describe('MQTT', () => {
  it.each(mqttCases('subscribe'))('$name', async ({ who, label }) => {
    const { client, recorder } = await mqttFor(who);
    const cid = inst[label].client_id;
    const allowed = installationTable[who].subscribe.includes(label);
    expect(await subscribeGranted(client, `${cid}/#`, 1)).toBe(allowed ? 1 : 0x80);
    if (allowed) {
      const marker = `${cid}/obj/iso/sub/${who}`;
      await publishAsync(await mqtt('admin'), marker, { value: 1 }, 1);
      await recorder.waitFor(marker);
    }
  });

  it.each(mqttCases('publish'))('$name', async ({ who, label }) => {
    const { client } = await mqttFor(who);
    const cid = inst[label].client_id;
    const allowed = installationTable[who].publish.includes(label);
    const topic = `obj/iso/pub/${who}`;
    await publishAsync(client, `${cid}/${topic}`, { value: 7, timestamp: Date.now() / 1000 }, 1);
    if (allowed) {
      await watcher.waitFor(`${cid}/${topic}`);
      expect((await eventually(async () => (await statusOf(label, topic))[0]))?.value).toBe(7);
      return;
    }
    // The admin's marker is routed after the dropped publish was acknowledged: once it is seen,
    // the dropped one would have been seen too.
    const marker = `${cid}/obj/iso/marker/${who}`;
    await publishAsync(await mqtt('admin'), marker, { value: 1 }, 1);
    await watcher.waitFor(marker);
    expect(watcher.has(`${cid}/${topic}`)).toBe(false);
    expect(await statusOf(label, topic)).toEqual([]);
    // A refused publish is dropped, not punished with a disconnect (MQTT-3.3.5-2).
    expect(client.connected).toBe(true);
  });
});

describe('gateway credentials and installation delete over REST (last: a wrong allow spoils the fixture)', () => {
  it.each(installationCases(destructiveOps))('$name', runInstallationCase);
});
