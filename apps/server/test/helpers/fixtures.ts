import { expectOk, type LynxHttp } from './lynx-http.js';

export interface InstallationRef {
  id: number;
  client_id: number;
  name: string;
}

export async function createInstallation(admin: LynxHttp, name: string, extra: Record<string, unknown> = {}): Promise<InstallationRef> {
  return expectOk(await admin.post<InstallationRef>('/api/v2/installation', { name, ...extra }));
}

/** A user with the built-in "user" role, assigned to the given installations, and an API token. */
export async function createAssignedUser(admin: LynxHttp, email: string, installationIds: number[]): Promise<{ id: number; token: string; client: LynxHttp }> {
  const password = 'user-password-123';
  const user = expectOk(await admin.post<{ id: number }>('/api/v2/user', { email, password, first_name: 'Test' }));
  for (const id of installationIds) {
    const inst = expectOk(await admin.get<{ users: number[] } & Record<string, unknown>>(`/api/v2/installation/${id}`));
    expectOk(await admin.put(`/api/v2/installation/${id}`, { ...inst, users: [...inst.users, user.id] }));
  }
  const { client } = await admin.login(email, password);
  const token = expectOk(await client.post<{ token: string }>('/api/v2/user/me/security/token', { name: 'test', expire: 0, session_timeout: 0 })).token;
  return { id: user.id, token, client: client.withKey(token) };
}
