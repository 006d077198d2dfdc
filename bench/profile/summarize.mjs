// Prints where a V8 .cpuprofile spent its time: self time per function and per file (package or
// source file), and total (inclusive) time of the project's own functions. Flame graphs: open the
// same file in Chrome DevTools (Performance panel) or speedscope.
//   node bench/profile/summarize.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

const [file, topText] = process.argv.slice(2);
const top = Number(topText ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample counts -> ms via the time deltas.
const selfMs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
}
const totalMs = [...selfMs.values()].reduce((a, b) => a + b, 0);

function where(cf) {
  const url = cf.url || '';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const src = /apps\/server\/dist\/(.*)$/.exec(url);
  if (src) return `server:${src[1]}`;
  if (url.startsWith('node:')) return url;
  return url ? url.replace(/^file:\/\//, '') : '(native/vm)';
}
const label = (cf) => `${cf.functionName || '(anonymous)'} ${where(cf)}:${cf.lineNumber + 1}`;

const byFunction = new Map();
const byFile = new Map();
const inclusive = new Map();
for (const [id, ms] of selfMs) {
  const cf = nodes.get(id).callFrame;
  byFunction.set(label(cf), (byFunction.get(label(cf)) ?? 0) + ms);
  byFile.set(where(cf), (byFile.get(where(cf)) ?? 0) + ms);
  // Inclusive time for the server's own functions: each label counted once per sample stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const c = nodes.get(cur).callFrame;
    if (!/apps\/server\/dist\//.test(c.url)) continue;
    const l = label(c);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + ms);
  }
}
const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms.toFixed(0).padStart(8)} ms ${((ms / totalMs) * 100).toFixed(1).padStart(5)} %  ${k}`);
  }
};
console.log(`${file}: ${totalMs.toFixed(0)} ms sampled`);
show('self time by package / file', byFile);
show('self time by function', byFunction);
show('inclusive time, server functions', inclusive);
