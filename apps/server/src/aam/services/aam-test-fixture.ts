// Test support for the installation and devicex/functionx specs: a real store (SQLite in a temp
// folder, or a throwaway PostgreSQL database under LYNX_TEST_DB=postgres), an organization tree,
// users, principals, and recorders for events.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignedUserPermissions, permissionKeys } from '@lynx/shared';
import { AccessEventHub } from '../access-events.js';
import type { AccessEvent } from '../access.js';
import type { ChangeKind } from '../events.js';
import { InstallationIndex } from '../installation-index.js';
import { OrganizationTree } from '../organization-tree.js';
import type { Principal } from '../principal.js';
import { TraceRepository } from '../repositories/trace.js';
import { openStore, type AamDb } from '../store/open-store.js';
import { createTestDatabase } from '../store/test-helpers.js';
import { AccessPolicy } from './access-policy.js';
import { InstallationsService } from './installations.js';
import { TraceService } from './trace.js';
import { XObjectsService } from './x-objects.js';

export interface AamFixture {
  dir: string;
  db: AamDb;
  orgs: { root: number; child: number; sibling: number };
  index: InstallationIndex;
  organizations: OrganizationTree;
  policy: AccessPolicy;
  installations: InstallationsService;
  devices: XObjectsService;
  functions: XObjectsService;
  /** The real trace the services record into; its clock is `clock.now`. */
  trace: TraceService;
  /** Trace writes that failed (logged, never thrown). */
  traceFailures: object[];
  changes: { clientId: number; kind: ChangeKind }[];
  accessEvents: AccessEvent[];
  deleted: number[];
  clock: { now: number };
  admin: Principal;
  /** Built-in "user" role, belongs to the root organization, assigned to nothing yet. */
  user: Principal;
  /** Everything, but only within the child organization. */
  childAdmin: Principal;
  close(): Promise<void>;
}

/** `onQuery` sees every SQL statement of the store's client (specs count queries with it). */
export async function createAamFixture(opts: { onQuery?: (sql: string) => void } = {}): Promise<AamFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'aam-spec-'));
  const database = await createTestDatabase(join(dir, 'aam.db'));
  const store = await openStore(database.url, { onQuery: opts.onQuery });
  const db = store.db;
  const org = (name: string, parentId: number | null) => store.db.organization.create({ data: { name, parentId, created: 1, updated: 1 } });
  const root = await org('root', null);
  const child = await org('child', root.id);
  const sibling = await org('sibling', root.id);
  // Members of the organizations their principals below carry, as every real user is.
  const mkUser = (email: string, organizationId: number) =>
    store.db.user.create({ data: { email, passwordHash: 'x', created: 1, updated: 1, organisations: { create: [{ organizationId }] } } });
  const adminRow = await mkUser('admin@example.com', root.id);
  const userRow = await mkUser('user@example.com', root.id);
  const childRow = await mkUser('child@example.com', child.id);

  const organizations = new OrganizationTree(await store.db.organization.findMany({ select: { id: true, parentId: true } }));
  const index = new InstallationIndex();
  const policy = new AccessPolicy(index, organizations);
  const changes: AamFixture['changes'] = [];
  const accessEvents: AccessEvent[] = [];
  const hub = new AccessEventHub();
  hub.on((e) => accessEvents.push(e));
  const deleted: number[] = [];
  const clock = { now: 1_700_000_000 };
  const traceFailures: object[] = [];
  const trace = new TraceService({ trace: new TraceRepository(db), policy, organizations, logger: { error: (obj) => traceFailures.push(obj) }, now: () => clock.now });
  const deps = {
    db,
    index,
    organizations,
    policy,
    changes: { changed: (clientId: number, kind: ChangeKind) => changes.push({ clientId, kind }) },
    accessEvents: hub,
    now: () => clock.now,
    audit: trace,
    defaultTimezone: 'Europe/Stockholm',
    onInstallationDeleted: async (id: number) => {
      deleted.push(id);
    },
  };
  const principal = (userId: number, email: string, permissions: readonly string[], organizationIds: number[]): Principal => ({
    userId,
    email,
    roleId: null,
    tokenId: 0,
    permissions: new Set(permissions),
    organizationIds,
  });
  return {
    dir,
    db,
    orgs: { root: root.id, child: child.id, sibling: sibling.id },
    index,
    organizations,
    policy,
    installations: new InstallationsService(deps),
    devices: new XObjectsService('devicex', deps),
    functions: new XObjectsService('functionx', deps),
    trace,
    traceFailures,
    changes,
    accessEvents,
    deleted,
    clock,
    admin: principal(adminRow.id, adminRow.email, permissionKeys, [root.id]),
    user: principal(userRow.id, userRow.email, assignedUserPermissions, [root.id]),
    childAdmin: principal(childRow.id, childRow.email, permissionKeys, [child.id]),
    async close() {
      await store.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
