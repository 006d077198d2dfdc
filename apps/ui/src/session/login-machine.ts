// The login steps as a pure state machine, so every path (two-factor, enrolment, forced password
// change, expiry) is tested without a browser. REST answers are mapped to events by rest-auth.ts.

export type LoginState =
  | { step: 'credentials'; notice?: string }
  | { step: 'two-factor'; pendingToken: string }
  | { step: 'enrol-two-factor'; pendingToken: string }
  | { step: 'change-password'; token: string }
  | { step: 'signed-in'; token: string };

/** What POST/PUT /api/v2/auth answered (spec 3.2). */
export interface LoginAnswer {
  token: string;
  nextstep?: string;
  next_step?: string;
  two_factor_enrolment_required?: boolean;
  password_change_required?: boolean;
}

export type LoginEvent =
  | { type: 'answered'; answer: LoginAnswer }
  | { type: 'password-changed' }
  | { type: 'enrolled' }
  | { type: 'expired' }
  | { type: 'signed-out' }
  | { type: 'restart' };

export const sessionExpiredNotice = 'Your session expired, sign in again';

export function loginTransition(state: LoginState, event: LoginEvent): LoginState {
  switch (event.type) {
    case 'answered': {
      const a = event.answer;
      if (a.two_factor_enrolment_required) return { step: 'enrol-two-factor', pendingToken: a.token };
      if (a.nextstep === 'smslogin' || a.next_step === 'smslogin') return { step: 'two-factor', pendingToken: a.token };
      if (a.password_change_required) return { step: 'change-password', token: a.token };
      return { step: 'signed-in', token: a.token };
    }
    case 'password-changed':
      // The server lifts the restriction from the same token once the password changed.
      return state.step === 'change-password' ? { step: 'signed-in', token: state.token } : state;
    case 'enrolled':
      // Enrolment turns two-factor on; the pending login continues with its first code.
      return state.step === 'enrol-two-factor' ? { step: 'two-factor', pendingToken: state.pendingToken } : state;
    case 'expired':
      return state.step === 'credentials' ? state : { step: 'credentials', notice: sessionExpiredNotice };
    case 'signed-out':
    case 'restart':
      return { step: 'credentials' };
  }
}

/** The token the API calls carry in this state (pending logins only reach their own next step). */
export function tokenOf(state: LoginState): string | null {
  return 'token' in state ? state.token : 'pendingToken' in state ? state.pendingToken : null;
}
