import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLog } from './log-files.js';
import { tempDir } from './supervisor.test-helpers.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('RotatingLog', () => {
  it('rotates at the size limit, keeps K old files, and tails across them', async () => {
    dir = await tempDir('logs');
    const log = new RotatingLog(dir, { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 40; i++) log.write(`line ${String(i).padStart(3, '0')}`); // 9 bytes each
    log.close();
    expect((await readdir(dir)).sort()).toEqual(['server.log', 'server.log.1', 'server.log.2']);
    const tail = await log.tail(15);
    expect(tail).toEqual(Array.from({ length: 15 }, (_, k) => `line ${String(25 + k).padStart(3, '0')}`));
    // Only 3 files of at most 11 lines are kept: older lines are gone.
    expect((await log.tail(1000)).length).toBeLessThanOrEqual(33);
  });

  it('appends to an existing file after a restart of the app and tails an empty log as []', async () => {
    dir = await tempDir('logs');
    const empty = new RotatingLog(dir);
    expect(await empty.tail(5)).toEqual([]);
    const first = new RotatingLog(dir);
    first.write('one');
    first.close();
    const second = new RotatingLog(dir);
    second.write('two');
    second.close();
    expect(await second.tail(5)).toEqual(['one', 'two']);
  });

  it('drops lines rather than recreate a missing data folder', async () => {
    dir = await tempDir('logs');
    const gone = join(dir, 'unplugged-disk', 'logs');
    const log = new RotatingLog(gone);
    expect(() => log.write('nowhere to go')).not.toThrow();
    expect(existsSync(join(dir, 'unplugged-disk'))).toBe(false);
  });
});
