// Summarizes a V8 .heapsnapshot: total live heap and the largest shares by constructor / node
// name (self sizes), to see what each idle connection keeps. Take one with
// `node --heapsnapshot-signal=SIGUSR2 …` and `kill -USR2 <pid>` (bench/connections/run.mjs --heap).
//   node bench/profile/heap-summary.mjs <file.heapsnapshot> [top=30] [divide-by=N]
import { readFileSync } from 'node:fs';

const [file, topText, perText] = process.argv.slice(2);
const top = Number(topText ?? 30);
const per = Number(perText ?? 0);
const snap = JSON.parse(readFileSync(file, 'utf8'));
const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
const width = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const byName = new Map();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + iType]];
  const size = snap.nodes[i + iSize];
  total += size;
  const name = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName]]}` : type;
  const e = byName.get(name) ?? { size: 0, count: 0 };
  e.size += size;
  e.count++;
  byName.set(name, e);
}
console.log(`${file}: ${(total / 1048576).toFixed(1)} MB live heap${per ? `, ${(total / per / 1024).toFixed(1)} KB per ${per}th` : ''}`);
for (const [name, e] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
  console.log(`${(e.size / 1048576).toFixed(2).padStart(8)} MB ${String(e.count).padStart(8)}  ${per ? `${(e.size / per).toFixed(0).padStart(6)} B/conn  ` : ''}${name.slice(0, 80)}`);
}
