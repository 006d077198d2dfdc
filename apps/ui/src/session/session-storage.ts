// The signed-in token lives in sessionStorage: it survives a reload but not closing the tab, and
// other tabs sign in on their own. Pending (two-factor) tokens are never stored.
import type { LoginState } from './login-machine.js';

const key = 'lynx.session';

export function loadLoginState(): LoginState {
  try {
    const raw = sessionStorage.getItem(key);
    const saved = raw ? (JSON.parse(raw) as { token?: unknown; step?: unknown }) : null;
    if (saved && typeof saved.token === 'string' && (saved.step === 'signed-in' || saved.step === 'change-password')) {
      return { step: saved.step, token: saved.token };
    }
  } catch {
    // Unreadable storage: start signed out.
  }
  return { step: 'credentials' };
}

export function saveLoginState(state: LoginState): void {
  try {
    if (state.step === 'signed-in' || state.step === 'change-password') sessionStorage.setItem(key, JSON.stringify({ step: state.step, token: state.token }));
    else sessionStorage.removeItem(key);
  } catch {
    // Private mode without storage: the session just ends with the page.
  }
}
