import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import { createAdminFixture, type AdminFixture } from './admin-test-fixture.js';

let f: AdminFixture;
beforeEach(async () => {
  f = await createAdminFixture();
});
afterEach(async () => {
  await f.close();
});

describe('UserPasswordsService', () => {
  it('changes your own password given the current one, ending your other login sessions only', async () => {
    const current = await f.member('me@example.com', 'user', f.orgs.child, 'old-password');
    const otherSession = await f.login(current.principal.userId);
    const apiKey = await f.login(current.principal.userId, 'api');
    const p = current.principal;
    await expect(f.passwords.changeOwn(p, { current_password: 'wrong', new_password: 'new-password' })).rejects.toThrow(/current_password/);
    await expect(f.passwords.changeOwn(p, { new_password: 'new-password' })).rejects.toThrow(BadRequestError);
    await expect(f.passwords.changeOwn(p, { current_password: 'old-password', new_password: 'short' })).rejects.toThrow(/8 characters/);
    await expect(f.passwords.changeOwn(p, null)).rejects.toThrow(BadRequestError);
    f.events.length = 0;

    expect(await f.passwords.changeOwn(p, { current_password: 'old-password', new_password: 'new-password' })).toEqual({ message: 'password changed' });
    expect(f.events).toEqual([{ type: 'token-revoked', tokenId: otherSession.tokenId }]);
    expect(await f.auth.authenticateToken(current.secret)).not.toBeNull();
    expect(await f.auth.authenticateToken(apiKey.secret)).not.toBeNull();
    expect(await f.auth.authenticateToken(otherSession.secret)).toBeNull();
    await expect(f.auth.login('me@example.com', 'old-password')).rejects.toThrow(UnauthorizedError);
    expect((await f.auth.login('me@example.com', 'new-password')).userId).toBe(p.userId);
  });

  it('lets an administrator reset a password within its scope, ending every login session of that user', async () => {
    const worker = await f.member('worker@example.com', 'user', f.orgs.child, 'old-password');
    const apiKey = await f.login(worker.principal.userId, 'api');
    f.events.length = 0;
    expect((await f.passwords.reset(f.childAdmin, worker.principal.userId, { new_password: 'reset-password' })).message).toMatch(/changed/);
    expect(f.events).toEqual([{ type: 'token-revoked', tokenId: worker.tokenId }]);
    expect(await f.auth.authenticateToken(apiKey.secret)).not.toBeNull();
    expect((await f.auth.login('worker@example.com', 'reset-password')).userId).toBe(worker.principal.userId);

    const other = await f.member('other@example.com', 'user', f.orgs.sibling);
    await expect(f.passwords.reset(f.childAdmin, other.principal.userId, { new_password: 'reset-password' })).rejects.toThrow(NotFoundError);
    await expect(f.passwords.reset(f.user, worker.principal.userId, { new_password: 'reset-password' })).rejects.toThrow(ForbiddenError);
    await expect(f.passwords.reset(f.admin, worker.principal.userId, {})).rejects.toThrow(/new_password/);
    // Your own id is a change of your own password: the current one is required.
    await expect(f.passwords.reset(f.admin, f.admin.userId, { new_password: 'reset-password' })).rejects.toThrow(/current_password/);
  });
});
