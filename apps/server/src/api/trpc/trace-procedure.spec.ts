// trace.list through createCallerFactory, and the request context every procedure runs in: what
// a procedure changes is recorded with path /trpc/<procedure> and the caller.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AdminFixture } from '../../aam/services/admin-test-fixture.js';
import { runInRequestContext } from '../../aam/request-context.js';
import { useAdminCallers } from './trpc-test-fixture.js';

const { fixture, caller } = useAdminCallers();
let f: AdminFixture;
beforeEach(() => {
  f = fixture();
});

describe('trace.list procedure', () => {
  it('lists what procedures recorded, under the procedure path and caller', async () => {
    const admin = caller(f.admin);
    const org = await admin.organizations.create({ name: 'Acme', parent: f.orgs.child });
    // Inside an HTTP request (as the Fastify adapter runs it) method and address come from there.
    await runInRequestContext({ method: 'POST', path: '/trpc/organizations.update,roles.list', ip: '198.51.100.4' }, () =>
      admin.organizations.update({ id: org.id, data: { notes: 'n' } }),
    );
    const page = await admin.trace.list({ objectType: 'organization', objectId: org.id, order: 'asc' });
    expect(page.total).toBe(2);
    expect(page.data.map((e) => [e.action, e.path, e.method, e.user_id])).toEqual([
      ['create', '/trpc/organizations.create', 'POST', f.admin.userId],
      ['update', '/trpc/organizations.update', 'POST', f.admin.userId],
    ]);
    expect(typeof page.data[0].id).toBe('string');
    const ip = await f.db.traceEntry.findMany({ where: { objectId: org.id, objectType: 'organization' }, orderBy: { id: 'asc' }, select: { ip: true } });
    expect(ip).toEqual([{ ip: '' }, { ip: '198.51.100.4' }]);
    expect((await admin.trace.list({ id: page.data[1].id })).data).toEqual([page.data[1]]);
    expect((await admin.trace.list({ actions: ['update'], objectType: 'organization' })).count).toBe(1);
  });

  it('maps refusals and bad input to tRPC codes', async () => {
    await expect(caller(null).trace.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(caller(f.user).trace.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(f.admin).trace.list({ id: 'abc' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^invalid id:/) });
    await expect(caller(f.admin).trace.list({ objectId: 3 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'invalid object_id: needs object_type' });
  });
});
