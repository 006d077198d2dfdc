// Callers of the REST API and the broker for access tests: users with a given role, organizations
// and assignments, logged in; and gateway credentials (spec 1.6), which use their own schemes.
import { expectOk, LynxHttp } from './lynx-http.js';

export interface LoggedInUser {
  id: number;
  email: string;
  password: string;
  /** Login token: also the MQTT password (spec 3.3). */
  token: string;
  client: LynxHttp;
}

export interface NewUser {
  email: string;
  role: number;
  organisations: number[];
  assigned_installations?: number[];
}

/** Creates the user as `admin` and logs it in. */
export async function createLoggedInUser(admin: LynxHttp, user: NewUser): Promise<LoggedInUser> {
  const password = `pw-${user.email}`;
  const created = expectOk(await admin.post<{ id: number }>('/api/v2/user', { ...user, password, first_name: 'Test' }));
  const { client, token } = await new LynxHttp(admin.baseUrl).login(user.email, password);
  return { id: created.id, email: user.email, password, token, client };
}

/** Role ids by name (`admin`, `organization admin`, `user`, `viewer`, ...). */
export async function roleIds(admin: LynxHttp): Promise<Record<string, number>> {
  const roles = expectOk(await admin.get<{ id: number; name: string }[]>('/api/v2/role'));
  return Object.fromEntries(roles.map((r) => [r.name, r.id]));
}

/** What `POST /api/v2/gateway/credentials/{installation_id}` answers (spec 1.6). */
export interface GatewayInformation {
  client_id: number;
  installation_id: number;
  api: string;
  aam: string;
  mqtt_broker: string;
  mqtt_username: string;
  mqtt_password: string;
  mqtt_client_id: string;
  timezone: string;
}

export async function createGatewayCredentials(admin: LynxHttp, installationId: number): Promise<GatewayInformation> {
  const res = await admin.post<GatewayInformation>(`/api/v2/gateway/credentials/${installationId}`);
  if (res.status !== 200) {
    throw new Error(`POST /api/v2/gateway/credentials/${installationId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** A REST client authenticating as the gateway (Basic mqtt_username:mqtt_password). */
export function gatewayClient(baseUrl: string, info: GatewayInformation): LynxHttp {
  return new LynxHttp(baseUrl, { Authorization: LynxHttp.basic(info.mqtt_username, info.mqtt_password) });
}
