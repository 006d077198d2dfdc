// Routers tested through createCallerFactory, without HTTP, on a real in-process server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../aam/store/test-helpers.js';
import { loadConfig } from '../../config/load-config.js';
import { createLogger } from '../../log.js';
import { startServer, type RunningServer } from '../../server.js';
import { appRouter } from './router.js';
import { createCallerFactory } from './trpc.js';

let dir: string;
let database: TestDatabase;
let server: RunningServer;
const createCaller = createCallerFactory(appRouter);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lynx-trpc-'));
  database = await createTestDatabase(join(dir, 'aam.db'));
  const args = ['--host', '127.0.0.1', '--http-port', '0', '--mqtt-port', '0', '--data-dir', dir, '--database-url', database.url];
  const { config } = loadConfig(args, { LYNX_ADMIN_PASSWORD: 'trpc-admin-pw' });
  server = await startServer(config, createLogger('silent'));
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function adminCaller() {
  const { token } = await server.services.auth.login('admin@lynx.local', 'trpc-admin-pw');
  const principal = await server.services.auth.authenticateToken(token);
  return createCaller({ services: server.services, principal });
}

describe('tRPC router', () => {
  it('answers health without credentials and refuses protected procedures', async () => {
    const anon = createCaller({ services: server.services, principal: null });
    expect((await anon.health()).status).toBe('ok');
    await expect(anon.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('calls the same services as REST', async () => {
    const caller = await adminCaller();
    expect((await caller.me()).email).toBe('admin@lynx.local');
    const admin = await server.services.auth.authenticateToken((await server.services.auth.login('admin@lynx.local', 'trpc-admin-pw')).token);
    const inst = await server.services.installations.create(admin!, { name: 'via service' });
    const list = await caller.installations.list({});
    expect(list.map((i) => i.name)).toContain('via service');
    await server.services.functions.create(admin!, inst.id, { type: 'temperature', meta: { name: 'T' } }, { silent: true });
    expect((await caller.functions.list({ installationId: inst.id })).map((f) => f.meta.name)).toEqual(['T']);
    expect(await caller.data.status({ installationId: inst.id })).toEqual([]);
    expect(await caller.ingest.stats({ installationId: inst.id })).toEqual({ installation_id: inst.id, rejected_payloads: 0 });
  });

  it('maps service errors to tRPC codes', async () => {
    const caller = await adminCaller();
    const err = await caller.functions.list({ installationId: 999_999 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('NOT_FOUND');
    await expect(caller.functions.list({ installationId: -1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
