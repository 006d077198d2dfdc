// `npm run bench [-- --quick] [-- --only ingest,rest]`: every bench part in turn, each in its own
// process (a crash in one does not stop the others), each printing its table and writing
// bench/results/<part>.json. The time-series part is bench/tsdb/bench.ts, run through tsx if present.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, repoDir } from './lib/common.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : null;

const tsx = join(repoDir, 'node_modules/.bin/tsx');

/** bench/tsdb is another part's: it gets --quick if it knows the flag, else a tenth of its default points. */
function tsdbQuickArgs() {
  const file = join(benchDir, 'tsdb/bench.ts');
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  if (text.includes('--quick')) return ['--quick'];
  return text.includes('process.argv[2]') ? ['100000'] : [];
}
const parts = [
  { name: 'ingest', cmd: process.execPath, args: [join(benchDir, 'ingest/run.mjs')] },
  { name: 'tsdb', cmd: tsx, args: [join(benchDir, 'tsdb/bench.ts')], file: join(benchDir, 'tsdb/bench.ts'), quickArgs: tsdbQuickArgs() },
  { name: 'rest', cmd: process.execPath, args: [join(benchDir, 'rest/run.mjs')] },
  { name: 'connections', cmd: process.execPath, args: [join(benchDir, 'connections/run.mjs')] },
  { name: 'startup', cmd: process.execPath, args: [join(benchDir, 'startup/run.mjs')] },
];

const summary = [];
const started = performance.now();
for (const part of parts) {
  if (only && !only.has(part.name)) continue;
  if (part.file && !existsSync(part.file)) {
    console.log(`\n== ${part.name}: ${part.file} not found, skipped`);
    summary.push({ part: part.name, status: 'skipped (missing)' });
    continue;
  }
  console.log(`\n== ${part.name}`);
  const partArgs = [...part.args, ...(quick ? (part.quickArgs ?? ['--quick']) : [])];
  const t = performance.now();
  const code = await new Promise((res) => {
    const child = spawn(part.cmd, partArgs, { stdio: 'inherit', cwd: repoDir });
    child.once('error', (err) => {
      console.log(`${part.name}: ${err.message}`);
      res(1);
    });
    child.once('exit', (c) => res(c ?? 1));
  });
  summary.push({ part: part.name, status: code === 0 ? 'ok' : `failed (exit ${code})`, seconds: ((performance.now() - t) / 1000).toFixed(0) });
}
console.log(`\n== bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
for (const s of summary) console.log(`${s.part.padEnd(12)} ${s.status}${s.seconds ? ` in ${s.seconds} s` : ''}`);
if (summary.some((s) => s.status.startsWith('failed'))) process.exitCode = 1;
