// The two-factor procedures of the UI (auth.totp*) through createCallerFactory, on the real
// two-factor service and store.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AdminFixture } from '../../aam/services/admin-test-fixture.js';
import { totpCode } from '../../aam/services/totp.js';
import { useAdminCallers } from './trpc-test-fixture.js';

const { fixture, caller } = useAdminCallers();
let f: AdminFixture;
beforeEach(() => {
  f = fixture();
});

describe('auth.totp* procedures', () => {
  it('enrol, confirm, report and disable the caller’s two-factor', async () => {
    const { principal } = await f.member('ann@example.com', 'user', f.orgs.child, 'ann-password');
    const ann = caller(principal);
    expect(await ann.auth.totpStatus()).toEqual({ enabled: false, recovery_codes_left: 0 });
    const enrolment = await ann.auth.totpEnroll();
    expect(enrolment.recovery_codes).toHaveLength(10);
    await expect(ann.auth.totpConfirm({ code: 'nope' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await ann.auth.totpConfirm({ code: totpCode(enrolment.secret, f.clock.now) })).toMatchObject({ enabled: true, recovery_codes_left: 10 });
    expect(await ann.auth.totpStatus()).toEqual({ enabled: true, recovery_codes_left: 10 });
    await expect(ann.auth.totpEnroll()).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(ann.auth.totpDisable({ password: 'wrong-password' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await ann.auth.totpDisable({ password: 'ann-password' })).toEqual({ message: 'two-factor login disabled' });
    expect(await ann.auth.totpStatus()).toEqual({ enabled: false, recovery_codes_left: 0 });
    await expect(caller(null).auth.totpStatus()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
