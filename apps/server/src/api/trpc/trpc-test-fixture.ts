// Callers of the real router over the administration services of a real store, one fresh store per
// test, for procedure specs (tRPC's createCallerFactory, no HTTP).
import { afterEach, beforeEach } from 'vitest';
import type { Principal } from '../../aam/principal.js';
import { createAdminFixture, type AdminFixture } from '../../aam/services/admin-test-fixture.js';
import type { AppServices } from '../../services.js';
import { appRouter } from './router.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);

/** The services an AdminFixture has; procedures needing others fail loudly on the missing one. */
export function adminFixtureServices(f: AdminFixture): AppServices {
  return {
    auth: f.auth,
    organizations: f.orgService,
    users: f.usersService,
    passwords: f.passwords,
    roles: f.roleService,
    tokens: f.tokens,
    trace: f.trace,
    twoFactor: f.twoFactor,
  } as unknown as AppServices;
}

/** Registers the per-test fixture; read `fixture()` inside tests. */
export function useAdminCallers() {
  let f: AdminFixture | undefined;
  beforeEach(async () => {
    f = await createAdminFixture();
  });
  afterEach(async () => {
    await f?.close();
  });
  const fixture = (): AdminFixture => {
    if (!f) throw new Error('useAdminCallers: fixture used outside a test');
    return f;
  };
  return {
    fixture,
    caller: (principal: Principal | null) => createCaller({ services: adminFixtureServices(fixture()), principal }),
  };
}
