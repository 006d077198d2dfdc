// The audit trace (spec 1.14, `GET /api/v2/trace`): services record what they changed through
// `Audit`; this service stores it with who, from where and through which request, and answers
// reads scoped to what the reader may see.
import { z } from 'zod';
import type { TraceEntry, TraceList } from '@lynx/shared';
import { traceActions, traceObjectTypes, type Audit, type AuditRecord } from '../audit.js';
import { BadRequestError, ForbiddenError } from '../errors.js';
import type { OrganizationTree } from '../organization-tree.js';
import type { Principal } from '../principal.js';
import type { TraceRecord, TraceRepository, TraceScope } from '../repositories/trace.js';
import { currentRequest } from '../request-context.js';
import type { AccessPolicy } from './access-policy.js';
import { parseInput } from './parse-input.js';
import { maxStoredInt } from './stored-values.js';

export const defaultTraceLimit = 1000;
export const maxTraceLimit = 10_000;

/** Longest stored texts; longer ones are cut (a trace write must not fail on a long URL). */
const maxLength = { path: 1000, method: 16, ip: 64, description: 2000 } as const;

export interface TraceServiceDeps {
  trace: TraceRepository;
  policy: AccessPolicy;
  organizations: OrganizationTree;
  logger: { error(obj: object, msg: string): void };
  /** Unix seconds with milliseconds. */
  now?: () => number;
}

const lastValue = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);
const blank = (v: unknown) => {
  const x = lastValue(v);
  return x === '' || x === null ? undefined : x;
};
const seconds = z.preprocess(blank, z.coerce.number({ error: 'must be Unix seconds (a number)' }).optional());
const whole = (what: string) =>
  z.preprocess(
    (v) => {
      const x = blank(v);
      return typeof x === 'number' ? String(x) : x;
    },
    z
      .string({ error: `must be ${what}` })
      .regex(/^[0-9]{1,15}$/, `must be ${what}`)
      .transform(Number)
      .optional(),
  );
/**
 * go-lynx sends `object_id` as Go's `string(int64)`, which is the character with that code point
 * (id 65 arrives as "A"), not its digits. A single non-digit character is read that way. Ids 48-57
 * come as the digits "0".."9" and cannot be told from ids 0-9: digits win, as every other client
 * sends digits.
 */
export function goRuneObjectId(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const chars = [...v];
  if (chars.length !== 1 || /^[0-9]$/.test(v)) return v;
  return String(chars[0].codePointAt(0));
}

/** `action=a,b`, repeated `action=a&action=b`, or an array from tRPC. */
const list = (v: unknown) => {
  if (v === undefined || v === null) return undefined;
  const items = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',').map((s) => s.trim()) : [x])).filter((x) => x !== '');
  return items.length ? items : undefined;
};

const traceQuery = z.object({
  from: seconds,
  to: seconds,
  limit: whole('a non-negative integer'),
  offset: whole('a non-negative integer'),
  order: z.preprocess(
    (v) => {
      const x = blank(v);
      return typeof x === 'string' ? x.toLowerCase() : x;
    },
    z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).default('desc'),
  ),
  object_type: z.preprocess(blank, z.enum(traceObjectTypes, { error: `must be one of ${traceObjectTypes.join(', ')}` }).optional()),
  object_id: z.preprocess(goRuneObjectId, whole('an object id (a non-negative integer)')),
  id: whole('a trace entry id (digits)'),
  action: z.preprocess(
    list,
    z
      .array(z.string({ error: 'must be action names' }))
      .superRefine((items, ctx) => {
        const unknown = items.find((a) => !(traceActions as readonly string[]).includes(a));
        if (unknown !== undefined) ctx.addIssue({ code: 'custom', message: `unknown action ${JSON.stringify(unknown)} (one of ${traceActions.join(', ')})` });
      })
      .optional(),
  ),
});

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair; NUL (which PostgreSQL text cannot hold) becomes U+FFFD. */
function clip(value: string, max: number): string {
  let s = value.replaceAll('\u0000', '\uFFFD');
  if (s.length > max) {
    s = s.slice(0, max);
    if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  }
  return s;
}

const storedId = (id: number | null | undefined) => (id !== null && id !== undefined && Number.isInteger(id) && id >= 0 && id <= maxStoredInt ? id : null);

function view(r: TraceRecord): TraceEntry {
  return {
    id: String(r.id),
    path: r.path,
    method: r.method,
    timestamp: r.timestamp,
    user_id: r.userId,
    action: r.action,
    object_type: r.objectType,
    object_id: r.objectId,
    description: r.description,
  };
}

export class TraceService implements Audit {
  private readonly now: () => number;

  constructor(private readonly deps: TraceServiceDeps) {
    this.now = deps.now ?? (() => Date.now() / 1000);
  }

  /** Housekeeping: removes entries older than `keepDays` (0 = keep all). */
  async prune(keepDays: number): Promise<number> {
    if (keepDays <= 0) return 0;
    return this.deps.trace.deleteBefore(this.now() - keepDays * 86_400);
  }

  async record(entry: AuditRecord): Promise<void> {
    try {
      const request = currentRequest();
      await this.deps.trace.create({
        timestamp: this.now(),
        path: clip(request?.path ?? '', maxLength.path),
        method: clip(request?.method ?? '', maxLength.method),
        ip: clip(request?.ip ?? '', maxLength.ip),
        userId: storedId(entry.userId ?? request?.userId) ?? 0,
        action: entry.action,
        objectType: entry.objectType,
        objectId: storedId(entry.objectId) ?? 0,
        description: clip(entry.description, maxLength.description),
        installationId: storedId(entry.installationId),
        organizationId: storedId(entry.organizationId),
      });
    } catch (err) {
      // The change it describes is committed already: losing its trace line is logged, not raised.
      this.deps.logger.error({ err, trace: entry }, 'recording a trace entry failed');
    }
  }

  /**
   * `GET /api/v2/trace`. `from`/`to` are inclusive Unix seconds (a zero or negative `to`, which
   * go-lynx sends for an unset time, means no upper bound); `limit` 0 or absent means 1000.
   * `last` is the timestamp of the page's last entry (0 when empty), so the next page starts at
   * `to=last` (desc) or `from=last` (asc), or simply at `offset + count`.
   */
  async list(p: Principal, query: unknown): Promise<TraceList> {
    const scope = this.scope(p);
    const q = parseInput(traceQuery, query ?? {});
    const from = q.from !== undefined && q.from > 0 ? q.from : undefined;
    const to = q.to !== undefined && q.to > 0 ? q.to : undefined;
    if (from !== undefined && to !== undefined && from > to) throw new BadRequestError('invalid from: must not be after to');
    if (q.object_id !== undefined && q.object_type === undefined) throw new BadRequestError('invalid object_id: needs object_type');
    const limit = Math.min(q.limit || defaultTraceLimit, maxTraceLimit);
    // Ids beyond the stored Int range name no entry on any store.
    if ((q.id ?? 0) > maxStoredInt || (q.object_id ?? 0) > maxStoredInt) return { total: 0, last: 0, count: 0, data: [] };
    const { total, rows } = await this.deps.trace.query({
      from,
      to,
      id: q.id,
      objectType: q.object_type,
      objectId: q.object_id,
      actions: q.action,
      order: q.order,
      limit,
      offset: Math.min(q.offset ?? 0, maxStoredInt),
      scope,
    });
    const data = rows.map(view);
    return { total, last: data.length ? data[data.length - 1].timestamp : 0, count: data.length, data };
  }

  /**
   * `trace/list/system`: everything. `trace/list`: entries about installations the reader can
   * list, about its organization subtree (with `installation/list/all`, also installation entries
   * scoped there, so a deleted installation's history stays readable), and its own actions.
   */
  private scope(p: Principal): TraceScope | null {
    if (p.permissions.has('trace/list/system')) return null;
    if (!p.permissions.has('trace/list')) throw new ForbiddenError('missing permission trace/list');
    const reach = this.deps.policy.reach(p, 'installation/list');
    return {
      userId: p.userId,
      installations: reach.kind === 'all' ? 'all' : [...reach.ids].sort((a, b) => a - b),
      organizations: [...this.deps.organizations.subtree(p.organizationIds)].sort((a, b) => a - b),
      installationsOfOrganizations: p.permissions.has('installation/list/all'),
    };
  }
}
