// Compiles src/ to dist/ with tsc (tsconfig.build.json: `.ts` import extensions rewritten to `.js`),
// copies every file of src/ that is not TypeScript (page templates, static files) beside the
// compiled code that reads it, and stamps the build. `npm ci` runs this through `prepare`;
// bin/civic.js runs dist/ when the stamp is newer than every file of src/.
//   node scripts/build.mjs
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

// A clean build: nothing left over from files since removed.
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}

let copied = 0;
function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(from);
    else if (!entry.name.endsWith('.ts')) {
      const to = join(dist, relative(src, from));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to);
      copied++;
    }
  }
}
copyAssets(src);

// Written last: a build that fails half-way leaves no stamp, and bin/civic.js runs the source.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
process.stdout.write(`Built dist/ (${copied} assets copied).\n`);
