import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, postgresConfigFromUrl, redactDatabaseUrl } from './open-store.js';
import { createTestDatabase, testDbKind } from './test-helpers.js';

describe('database URLs', () => {
  it('takes a PostgreSQL URL apart into discrete settings', () => {
    expect(postgresConfigFromUrl('postgresql://lynx:p%40ss%3Aword@db.example:6543/aam')).toEqual({
      host: 'db.example',
      port: 6543,
      database: 'aam',
      user: 'lynx',
      password: 'p@ss:word',
    });
    expect(postgresConfigFromUrl('postgres://127.0.0.1/x?sslmode=require')).toMatchObject({ host: '127.0.0.1', port: 5432, database: 'x', ssl: { rejectUnauthorized: false } });
    expect(postgresConfigFromUrl('postgresql:///aam?host=/var/run/postgresql')).toMatchObject({ host: '/var/run/postgresql', database: 'aam' });
    expect(postgresConfigFromUrl('postgresql://db/aam?sslmode=prefer').ssl).toBeUndefined();
  });

  it('refuses parameters it would otherwise ignore, and never repeats a password', async () => {
    expect(() => postgresConfigFromUrl('postgresql://db/aam?schema=lynx')).toThrow(/"schema" is not supported/);
    expect(() => postgresConfigFromUrl('postgresql://db/aam?sslmode=sometimes')).toThrow(/sslmode/);
    expect(redactDatabaseUrl('postgresql://lynx:s3cret@db:5432/aam')).toBe('postgresql://lynx:***@db:5432/aam');
    expect(redactDatabaseUrl('file:/srv/aam.db')).toBe('file:/srv/aam.db');
    const errors = await Promise.all([
      openStore('postgresql://lynx:s3cret@127.0.0.1:1/aam').catch((e: Error) => e.message),
      openStore('postgresql://lynx:s3cret@[::1/aam').catch((e: Error) => e.message),
      openStore('mysql://lynx:s3cret@db/aam').catch((e: Error) => e.message),
    ]);
    expect(errors[0]).toMatch(/reach database server/);
    for (const message of errors) expect(message).not.toContain('s3cret');
  });
});

describe(`store on ${testDbKind()}`, () => {
  it('runs read-then-write transactions one at a time, so none sees a stale value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aam-store-'));
    const database = await createTestDatabase(join(dir, 'aam.db'));
    const store = await openStore(database.url);
    try {
      expect(store.provider).toBe(testDbKind() === 'postgres' ? 'postgresql' : 'sqlite');
      await store.db.setting.create({ data: { key: 'counter', value: '0' } });
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.db.$transaction(async (tx) => {
            const row = await tx.setting.findUniqueOrThrow({ where: { key: 'counter' } });
            await new Promise((r) => setTimeout(r, 2));
            await tx.setting.update({ where: { key: 'counter' }, data: { value: String(Number(row.value) + 1) } });
          }),
        ),
      );
      expect((await store.db.setting.findUniqueOrThrow({ where: { key: 'counter' } })).value).toBe('20');
    } finally {
      await store.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
