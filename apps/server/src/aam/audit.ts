// The audit trace contract (spec 1.14). Services record what was done; the trace service stores it
// and fills in who, from where and through which request (see request-context.ts).

export const traceActions = ['create', 'delete', 'update', 'view', 'failed', 'execute', 'auth'] as const;
export type TraceAction = (typeof traceActions)[number];

export const traceObjectTypes = [
  'installation',
  'gateway',
  'organization',
  'user',
  'device',
  'function',
  'schedule',
  'notification_output',
  'notification_message',
  'output_executor',
  'edge_app',
  'edge_app_instance',
  'file',
  'role',
  'gateway_registration_policy',
  'user_registration_policy',
  'mqtt',
  'trace',
] as const;
export type TraceObjectType = (typeof traceObjectTypes)[number];

export interface AuditRecord {
  action: TraceAction;
  objectType: TraceObjectType;
  objectId?: number;
  description: string;
  /** Defaults to the user of the current request; set it where there is none yet (login). */
  userId?: number;
  /** Scope of the entry: readers without trace/list/system see entries of what they can reach. */
  installationId?: number | null;
  organizationId?: number | null;
}

export interface Audit {
  /**
   * Stores one entry. Never rejects: a trace write that fails is logged, and the action it
   * describes (already committed) is not undone or reported as failed.
   */
  record(entry: AuditRecord): Promise<void>;
}

/** For unit specs and tools that run services without a trace. */
export const noAudit: Audit = { record: async () => {} };
