// Compile-time proof behind `AamDb`: the PostgreSQL client is handed to repositories under the
// SQLite client's type, which is only sound if every call written against the SQLite client is
// also a valid call on the PostgreSQL one and answers with the same shape. Both clients come from
// one models file, so this holds as long as the models stay in the common subset; a model or
// operation that breaks it fails `tsc` here instead of misbehaving on one provider at run time.
import type { Prisma as Pg } from './generated/postgresql/client.js';
import type { Prisma as Sqlite } from './generated/sqlite/client.js';

type SqliteModels = Sqlite.TypeMap['model'];
type PgModels = Pg.TypeMap['model'];

type Args<T> = T extends { args: infer A } ? A : never;
type Result<T> = T extends { result: infer R } ? R : never;

type Mismatches = {
  [M in keyof SqliteModels]: {
    [O in keyof SqliteModels[M]['operations']]: M extends keyof PgModels
      ? O extends keyof PgModels[M]['operations']
        ? [Args<SqliteModels[M]['operations'][O]>] extends [Args<PgModels[M]['operations'][O]>]
          ? [Result<PgModels[M]['operations'][O]>] extends [Result<SqliteModels[M]['operations'][O]>]
            ? never
            : `${M & string}.${O & string}: result differs`
          : `${M & string}.${O & string}: arguments differ`
        : `${M & string}.${O & string}: missing on PostgreSQL`
      : `${M & string}: missing on PostgreSQL`;
  }[keyof SqliteModels[M]['operations']];
}[keyof SqliteModels];

/** `never` when the clients are interchangeable for every model and operation. */
export type ClientMismatches = Mismatches;
const noMismatches: [Mismatches] extends [never] ? true : Mismatches = true;
void noMismatches;
