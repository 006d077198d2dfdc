import { MantineProvider } from '@mantine/core';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider, useSession } from '../session/session-context.js';
import { LoginScreen } from './login-screen.js';

function Probe() {
  const { state } = useSession();
  return <output data-testid="step">{state.step}</output>;
}

function renderLogin() {
  return render(
    <MantineProvider>
      <SessionProvider initial={{ step: 'credentials' }}>
        <LoginScreen />
        <Probe />
      </SessionProvider>
    </MantineProvider>,
  );
}

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe('LoginScreen', () => {
  it('shows the server message when the password is wrong', async () => {
    const fetch = vi.fn(async () => answer(401, { message: 'wrong email or password' }));
    vi.stubGlobal('fetch', fetch);
    renderLogin();
    await userEvent.type(screen.getByLabelText(/Email/), 'a@example.com');
    await userEvent.type(screen.getByLabelText(/^Password/), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('wrong email or password');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v2/auth');
    expect((init.headers as Record<string, string>).Authorization).toBe(`Basic ${btoa('a@example.com:nope')}`);
  });

  it('asks for the code after a password when two-factor is on, then signs in', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(answer(200, { token: 'pending', nextstep: 'smslogin', next_step: 'smslogin' }))
      .mockResolvedValueOnce(answer(200, { token: 'session' }));
    vi.stubGlobal('fetch', fetch);
    renderLogin();
    await userEvent.type(screen.getByLabelText(/Email/), 'a@example.com');
    await userEvent.type(screen.getByLabelText(/^Password/), 'right');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await userEvent.type(await screen.findByLabelText(/Authentication code/), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('signed-in')).toBeInTheDocument();
    const [, init] = fetch.mock.calls[1] as [string, RequestInit];
    expect((init.headers as Record<string, string>)['X-API-Key']).toBe('pending');
    expect(JSON.parse(init.body as string)).toEqual({ challenge: '123456' });
    // Only the finished login is kept for a reload.
    expect(sessionStorage.getItem('lynx.session')).toContain('session');
  });

  it('says the session expired when sent back to sign in', () => {
    render(
      <MantineProvider>
        <SessionProvider initial={{ step: 'credentials', notice: 'Your session expired, sign in again' }}>
          <LoginScreen />
        </SessionProvider>
      </MantineProvider>,
    );
    expect(screen.getByRole('status')).toHaveTextContent('Your session expired, sign in again');
  });
});
