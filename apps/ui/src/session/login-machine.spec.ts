import { describe, expect, it } from 'vitest';
import { loginTransition, sessionExpiredNotice, tokenOf, type LoginState } from './login-machine.js';

const start: LoginState = { step: 'credentials' };

describe('loginTransition', () => {
  it('signs in directly without a next step', () => {
    const s = loginTransition(start, { type: 'answered', answer: { token: 't1' } });
    expect(s).toEqual({ step: 'signed-in', token: 't1' });
    expect(tokenOf(s)).toBe('t1');
  });

  it('asks for the code when the server says smslogin (either spelling)', () => {
    expect(loginTransition(start, { type: 'answered', answer: { token: 'p', nextstep: 'smslogin' } })).toEqual({ step: 'two-factor', pendingToken: 'p' });
    expect(loginTransition(start, { type: 'answered', answer: { token: 'p', next_step: 'smslogin' } }).step).toBe('two-factor');
  });

  it('enrols first when two-factor is required but not set up, then asks for the code', () => {
    const enrol = loginTransition(start, { type: 'answered', answer: { token: 'p', nextstep: 'smslogin', two_factor_enrolment_required: true } });
    expect(enrol.step).toBe('enrol-two-factor');
    expect(loginTransition(enrol, { type: 'enrolled' })).toEqual({ step: 'two-factor', pendingToken: 'p' });
  });

  it('walks code → forced password change → signed in', () => {
    const code = loginTransition(start, { type: 'answered', answer: { token: 'p', nextstep: 'smslogin' } });
    const change = loginTransition(code, { type: 'answered', answer: { token: 't', password_change_required: true } });
    expect(change).toEqual({ step: 'change-password', token: 't' });
    expect(loginTransition(change, { type: 'password-changed' })).toEqual({ step: 'signed-in', token: 't' });
  });

  it('returns to the form with a notice when the session expires', () => {
    const expired = loginTransition({ step: 'signed-in', token: 't' }, { type: 'expired' });
    expect(expired).toEqual({ step: 'credentials', notice: sessionExpiredNotice });
    expect(tokenOf(expired)).toBeNull();
    // A second expiry (several failing queries) keeps the state as it is.
    expect(loginTransition(expired, { type: 'expired' })).toBe(expired);
  });

  it('ignores events that do not belong to the step', () => {
    const signedIn: LoginState = { step: 'signed-in', token: 't' };
    expect(loginTransition(signedIn, { type: 'password-changed' })).toBe(signedIn);
    expect(loginTransition(signedIn, { type: 'signed-out' })).toEqual(start);
  });
});
