// The data a send renders with and the payload POSTed to executors (spec 1.11). Templates see Go
// field names (`.installation.ClientID`), executors get the JSON shapes of the REST API.
import { GoStruct, type Value } from './template/index.js';
import type { ConfigMap, SendContext } from './repository.js';

export interface ExecutorPayload {
  message: string;
  output_config: ConfigMap;
  executor_config: ConfigMap;
  organization: {
    id: number;
    name: string;
    address: { address: string; city: string; country: string; zip: string };
    email: string;
    phone: string;
    notes: string;
    force_sms_login: boolean;
    parent: number;
    children: { id: number; name: string }[];
    password_valid_days: number;
    // Meta stays out: an external service should not receive (protected) meta of the organization.
    meta: Record<string, string>;
    protected_meta: Record<string, string>;
  };
  installation: { id: number; client_id: number; name: string; timezone: string; capabilities: string[]; organization_id: number; assigned: boolean };
  payload: unknown;
}

export function organizationJson(ctx: SendContext): ExecutorPayload['organization'] {
  const o = ctx.organization;
  return {
    id: o.id,
    name: o.name,
    address: { address: o.street, city: o.city, country: o.country, zip: o.zip },
    email: o.email,
    phone: o.phone,
    notes: o.notes,
    force_sms_login: o.forceSmsLogin,
    parent: o.parentId ?? 0,
    children: [],
    password_valid_days: o.passwordValidDays,
    meta: {},
    protected_meta: {},
  };
}

export function installationJson(ctx: SendContext): ExecutorPayload['installation'] {
  const i = ctx.installation;
  return { id: i.id, client_id: i.clientId, name: i.name, timezone: i.timezone, capabilities: [], organization_id: i.organizationId, assigned: false };
}

/** Template root: Go structs lynx.InstallationInfo and lynx.Organization, payload as decoded JSON. */
export function templateData(ctx: SendContext, payload: Value): Value {
  const i = ctx.installation;
  const o = ctx.organization;
  return {
    installation: new GoStruct('lynx.InstallationInfo', {
      ID: BigInt(i.id),
      ClientID: BigInt(i.clientId),
      Name: i.name,
      Timezone: i.timezone,
      Capabilities: [],
      OrganizationID: BigInt(i.organizationId),
      Assigned: false,
    }),
    organization: new GoStruct('lynx.Organization', {
      ID: BigInt(o.id),
      Name: o.name,
      Address: new GoStruct('lynx.Address', { Address: o.street, City: o.city, Country: o.country, ZIP: o.zip }),
      Email: o.email,
      Phone: o.phone,
      Notes: o.notes,
      ForceSMSLogin: o.forceSmsLogin,
      Parent: BigInt(o.parentId ?? 0),
      Children: [],
      PasswordValidDays: BigInt(o.passwordValidDays),
      Meta: {},
      ProtectedMeta: {},
    }),
    payload,
  };
}
