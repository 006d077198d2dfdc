// electron-builder afterPack hook: makes resources/server exactly the server bundle its manifest
// describes. electron-builder's copier silently skips some names whatever the filter (.gitkeep,
// .DS_Store) and the supervisor refuses a bundle whose files do not match the manifest, so the missing
// files are copied here and every file is checked: a bad package fails at build time, not at first run.
'use strict';
const { createHash } = require('node:crypto');
const { copyFileSync, existsSync, mkdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Copies what the manifest lists and `target` lacks from `source`; returns the copied paths. */
function completeServerResources(source, target) {
  const manifest = JSON.parse(readFileSync(path.join(target, 'manifest.json'), 'utf8'));
  const copied = [];
  for (const [file, expected] of Object.entries(manifest.files)) {
    const destination = path.join(target, file);
    if (!existsSync(destination)) {
      mkdirSync(path.dirname(destination), { recursive: true });
      copyFileSync(path.join(source, file), destination);
      copied.push(file);
    }
    if (sha256(destination) !== expected) throw new Error(`packaged server file ${file} does not match the bundle manifest`);
  }
  return copied;
}

async function afterPack(context) {
  const resources =
    context.electronPlatformName === 'darwin'
      ? path.join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : path.join(context.appOutDir, 'resources');
  const entry = [].concat(context.packager.config.extraResources || []).find((set) => set && set.to === 'server');
  if (!entry) throw new Error('electron-builder.yml has no extraResources entry for "server"');
  const copied = completeServerResources(path.resolve(context.packager.projectDir, entry.from), path.join(resources, 'server'));
  if (copied.length) console.log(`  • server bundle: restored ${copied.length} file(s) electron-builder skipped (${copied.join(', ')})`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.completeServerResources = completeServerResources;
