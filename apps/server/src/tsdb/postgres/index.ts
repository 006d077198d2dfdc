// The PostgreSQL time-series backend (cluster mode). See ../README.md, section "PostgreSQL backend".
export { openPostgresStore, PostgresTimeSeriesStore, StoreClosedError, type PostgresStoreOptions } from './postgres-store.js';
