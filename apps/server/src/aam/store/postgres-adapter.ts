// PostgreSQL glue for the AAM store: connection settings from a URL, and the driver adapter
// wrapped so PostgreSQL transactions behave as SQLite's do.
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';
import type { PoolConfig } from 'pg';

/** The URL with its password masked: database URLs end up in logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/**
 * Discrete pg settings from a postgres:// URL. The schema engine derives what it connects to from
 * discrete settings (a connection string would win over the database it picks), so the URL is
 * taken apart here once. Supports user, password, host, port, database and `sslmode`.
 */
export function postgresConfigFromUrl(url: string): PoolConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid PostgreSQL URL "${redactDatabaseUrl(url)}"`);
  }
  const config: PoolConfig = {
    host: decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, '$1')) || u.searchParams.get('host') || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
  for (const key of u.searchParams.keys()) {
    if (key === 'host' || key === 'sslmode') continue;
    // Other parameters (schema, connection_limit, ...) would be silently ignored: say so instead.
    throw new Error(`PostgreSQL URL parameter "${key}" is not supported (supported: host, sslmode); the AAM uses the database's public schema`);
  }
  // libpq's meanings, except that pg cannot fall back, so allow/prefer connect without TLS.
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode === 'require') config.ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') config.ssl = { rejectUnauthorized: true };
  else if (sslmode !== null && !['disable', 'allow', 'prefer'].includes(sslmode)) throw new Error(`unsupported sslmode "${sslmode}" in the PostgreSQL URL`);
  return config;
}

/** Advisory lock key ("Lynx") every AAM transaction on PostgreSQL holds; scoped to the database. */
const transactionLockKey = 0x4c796e78;

/**
 * Runs PostgreSQL transactions one at a time, as SQLite does. Repositories read and then write in
 * one transaction (the next client id, for one); SQLite never interleaves two of them, while
 * PostgreSQL under READ COMMITTED would let both read the same value and one fail on a unique
 * constraint. A transaction-scoped advisory lock taken right after BEGIN gives every provider the
 * same semantics, across server processes too; statements outside transactions stay concurrent.
 * AAM transactions are short and rare next to reads, so the serialisation costs little.
 */
export function oneTransactionAtATime(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  const lock = { sql: `SELECT pg_advisory_xact_lock(${transactionLockKey})`, args: [], argTypes: [] };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await factory.connect();
      return {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        queryRaw: (query) => adapter.queryRaw(query),
        executeRaw: (query) => adapter.executeRaw(query),
        executeScript: (script) => adapter.executeScript(script),
        getConnectionInfo: adapter.getConnectionInfo && (() => adapter.getConnectionInfo!()),
        dispose: () => adapter.dispose(),
        async startTransaction(isolationLevel) {
          const tx = await adapter.startTransaction(isolationLevel);
          try {
            await tx.executeRaw(lock);
          } catch (err) {
            // The adapter's rollback() only hands the connection back: end the transaction first.
            await tx.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] }).catch(() => {});
            await tx.rollback().catch(() => {});
            throw err;
          }
          return oneQueryAtATime(tx);
        },
      };
    },
  };
}


/**
 * Prisma sends independent queries of one transaction concurrently; on a single pg connection
 * that is deprecated (pg 8 warns, pg 9 will refuse), so they are queued here. pg would run them one
 * after the other anyway, so this costs nothing.
 */
function oneQueryAtATime(tx: Transaction): Transaction {
  let tail: Promise<unknown> = Promise.resolve();
  const queued = <T>(run: () => Promise<T>): Promise<T> => {
    const result = tail.then(run, run);
    tail = result.catch(() => {});
    return result;
  };
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: (query) => queued(() => tx.queryRaw(query)),
    executeRaw: (query) => queued(() => tx.executeRaw(query)),
    commit: () => queued(() => tx.commit()),
    rollback: () => queued(() => tx.rollback()),
    createSavepoint: tx.createSavepoint && ((name) => queued(() => tx.createSavepoint!(name))),
    rollbackToSavepoint: tx.rollbackToSavepoint && ((name) => queued(() => tx.rollbackToSavepoint!(name))),
    releaseSavepoint: tx.releaseSavepoint && ((name) => queued(() => tx.releaseSavepoint!(name))),
  };
}
