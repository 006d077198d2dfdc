// The audit trace (spec 1.14). Reads are one SQL statement for the page and one for the total,
// whatever the size of the caller's scope: a reader's reachable installations and organizations
// can be thousands of ids, past the bound-parameter limit Prisma enforces (999 on SQLite), so the
// filter is written as SQL with those ids as integer literals. Only numbers checked to be numbers
// and strings quoted by `text()` reach the statement; the same SQL runs on both providers.
import type { AamDb } from '../store/open-store.js';

export interface TraceRecord {
  id: number;
  /** Unix seconds with milliseconds. */
  timestamp: number;
  path: string;
  method: string;
  userId: number;
  action: string;
  objectType: string;
  objectId: number;
  description: string;
  ip: string;
  installationId: number | null;
  organizationId: number | null;
}

export type NewTraceRecord = Omit<TraceRecord, 'id'>;

/** What a reader without `trace/list/system` may see: entries matching any of these. */
export interface TraceScope {
  /** Entries of the reader's own actions. */
  userId: number;
  /** Entries about these installations (`all`: every installation entry). */
  installations: 'all' | readonly number[];
  /** Entries about these organizations (and the users, roles... scoped to them). */
  organizations: readonly number[];
  /** Also installation entries scoped to `organizations`, e.g. of installations since deleted. */
  installationsOfOrganizations: boolean;
}

export interface TraceQuery {
  from?: number;
  to?: number;
  id?: number;
  objectType?: string;
  objectId?: number;
  actions?: readonly string[];
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
  /** null: every entry. */
  scope: TraceScope | null;
}

const columns = '"id", "timestamp", "path", "method", "userId", "action", "objectType", "objectId", "description", "ip", "installationId", "organizationId"';

function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}

function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

function text(s: string): string {
  if (s.includes('\u0000')) throw new Error('NUL in a SQL string');
  return `'${s.replaceAll("'", "''")}'`;
}

const inList = (column: string, ids: readonly number[]) => (ids.length ? `"${column}" IN (${ids.map(int).join(', ')})` : null);

function scopeCondition(scope: TraceScope): string {
  const any = [`"userId" = ${int(scope.userId)}`];
  if (scope.installations === 'all') any.push('"installationId" IS NOT NULL');
  else {
    const reached = inList('installationId', scope.installations);
    if (reached) any.push(reached);
  }
  const orgs = inList('organizationId', scope.organizations);
  if (orgs) any.push(scope.installationsOfOrganizations ? orgs : `("installationId" IS NULL AND ${orgs})`);
  return `(${any.join(' OR ')})`;
}

function whereClause(q: TraceQuery): string {
  const all: string[] = [];
  if (q.from !== undefined) all.push(`"timestamp" >= ${num(q.from)}`);
  if (q.to !== undefined) all.push(`"timestamp" <= ${num(q.to)}`);
  if (q.id !== undefined) all.push(`"id" = ${int(q.id)}`);
  if (q.objectType !== undefined) all.push(`"objectType" = ${text(q.objectType)}`);
  if (q.objectId !== undefined) all.push(`"objectId" = ${int(q.objectId)}`);
  if (q.actions?.length) all.push(`"action" IN (${q.actions.map(text).join(', ')})`);
  if (q.scope) all.push(scopeCondition(q.scope));
  return all.length ? `WHERE ${all.join(' AND ')}` : '';
}

type Row = Omit<TraceRecord, 'id' | 'userId' | 'objectId' | 'timestamp'> & { id: unknown; userId: unknown; objectId: unknown; timestamp: unknown };

// Integer columns come back as number or bigint depending on the driver.
function toRecord(row: Row): TraceRecord {
  return {
    ...row,
    id: Number(row.id),
    timestamp: Number(row.timestamp),
    userId: Number(row.userId),
    objectId: Number(row.objectId),
    installationId: row.installationId === null ? null : Number(row.installationId),
    organizationId: row.organizationId === null ? null : Number(row.organizationId),
  };
}

export class TraceRepository {
  constructor(private readonly db: AamDb) {}

  async create(entry: NewTraceRecord): Promise<TraceRecord> {
    return this.db.traceEntry.create({ data: entry });
  }

  /** Removes entries older than `timestamp` (Unix seconds); returns how many. */
  async deleteBefore(timestamp: number): Promise<number> {
    return (await this.db.traceEntry.deleteMany({ where: { timestamp: { lt: timestamp } } })).count;
  }

  /** One page in timestamp order (ties by id) and the number of entries matching in all. */
  async query(q: TraceQuery): Promise<{ total: number; rows: TraceRecord[] }> {
    const where = whereClause(q);
    const direction = q.order === 'asc' ? 'ASC' : 'DESC';
    const [count] = await this.db.$queryRawUnsafe<{ n: unknown }[]>(`SELECT COUNT(*) AS "n" FROM "TraceEntry" ${where}`);
    const total = Number(count?.n ?? 0);
    if (q.limit === 0 || q.offset >= total) return { total, rows: [] };
    const rows = await this.db.$queryRawUnsafe<Row[]>(
      `SELECT ${columns} FROM "TraceEntry" ${where} ORDER BY "timestamp" ${direction}, "id" ${direction} LIMIT ${int(q.limit)} OFFSET ${int(q.offset)}`,
    );
    return { total, rows: rows.map(toRecord) };
  }
}
