import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';
import { hashToken, newTokenSecret } from './secrets.js';

let f: AdminFixture;
beforeEach(async () => {
  f = await createAdminFixture();
});
afterEach(async () => {
  await f.close();
});

describe('TokensService', () => {
  it('lists sessions and keys, not the two-factor and reset steps of a login in flight', async () => {
    const userId = f.user.userId;
    for (const type of ['2fa', 'reset']) {
      await f.repos.tokens.create({ userId, tokenHash: hashToken(newTokenSecret()), type, name: type, created: f.clock.now, expire: f.clock.now + 300, sessionTimeout: 0, permissions: null, agent: '' });
    }
    const key = await f.tokens.create(f.user, 'me', { name: 'grafana' });
    const listed = await f.tokens.list(f.user, 'me');
    expect(listed.map((t) => t.type).sort()).toEqual(['api', 'login']);
    expect(listed.find((t) => t.id === key.id)).toMatchObject({ name: 'grafana', current: false });
  });

  it('sweeps expired and timed-out tokens, announcing each, and keeps the living ones', async () => {
    const userId = f.user.userId;
    const make = (expire: number, sessionTimeout: number) =>
      f.repos.tokens.create({ userId, tokenHash: hashToken(newTokenSecret()), type: 'api', name: 'x', created: f.clock.now, expire, sessionTimeout, permissions: null, agent: '' });
    const expiring = await make(f.clock.now + 10, 0);
    const idle = await make(0, 60);
    const forever = await make(0, 0);
    const later = await make(f.clock.now + 1000, 0);
    expect(await f.tokens.sweepEnded()).toBe(0);
    f.clock.now += 100;
    f.events.length = 0;
    expect(await f.tokens.sweepEnded()).toBe(2);
    expect(f.events).toEqual(expect.arrayContaining([{ type: 'token-revoked', tokenId: expiring.id }, { type: 'token-revoked', tokenId: idle.id }]));
    const left = (await f.repos.tokens.listForUser(userId)).map((t) => t.id);
    expect(left).toEqual(expect.arrayContaining([forever.id, later.id]));
    expect(left).not.toContain(expiring.id);
    expect(left).not.toContain(idle.id);
  });

  it('a key narrowed to a permission subset reads but cannot change its own account', async () => {
    const narrowed = await f.tokens.create(f.user, 'me', { name: 'read-only', permissions: ['installation/list/assigned'] });
    const p = await f.auth.authenticateToken(narrowed.token!);
    expect(p).toMatchObject({ userId: f.user.userId, narrowed: true });
    expect((await f.usersService.me(p!)).id).toBe(f.user.userId);
    await expect(f.usersService.update(p!, 'me', { email: 'thief@example.com' })).rejects.toThrow(ForbiddenError);
    await expect(f.usersService.createMeta(p!, 'me', 'k', { value: 'v' })).rejects.toThrow(ForbiddenError);
    await expect(f.twoFactor.enroll(p!)).rejects.toThrow(ForbiddenError);
    await expect(f.passwords.changeOwn(p!, { current_password: 'x', new_password: 'long-enough-2' })).rejects.toThrow(ForbiddenError);
    // The full key of the same user still can.
    expect((await f.usersService.update(f.user, 'me', { first_name: 'Still me' })).first_name).toBe('Still me');
  });
});
