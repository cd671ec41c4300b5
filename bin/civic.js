#!/usr/bin/env node
// Entry point for `npx civic`. Runs the compiled JavaScript in dist/ (built by `npm ci` through
// `prepare`, or `npm run build`) when it is up to date, so that starting costs little more than
// Node itself (docs/decisions/0015). While developing, when dist/ is missing or a file of src/ has
// changed since the build, it runs the TypeScript source through tsx instead, so that what runs is
// always the code in src/. CIVIC_FROM_SOURCE=1 runs the source whatever the state of dist/.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

// Output piped into a program that stops reading early (`civic --help | head`) is not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });

/** The build's time stamp, or 0 when there is no finished build. */
function builtAt() {
  try {
    return statSync(new URL('dist/.built', root)).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether anything under src/ (a file, or a folder whose entries changed) is newer than `t`. */
function changedSince(dir, t) {
  if (statSync(dir).mtimeMs > t) return true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    if (entry.isDirectory() ? changedSince(path, t) : statSync(path).mtimeMs > t) return true;
  }
  return false;
}

const built = process.env.CIVIC_FROM_SOURCE === '1' ? 0 : builtAt();
if (built && !changedSince(new URL('src/', root), built)) {
  await import('../dist/cli/main.js');
} else {
  if (built && process.stderr.isTTY)
    process.stderr.write(
      'civic: src/ has changed since the last build; running the TypeScript source (slower to start). Run npm run build to compile it.\n',
    );
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'civic: the compiled program (dist/) is missing and tsx is not installed. Run npm ci, or npm run build.\n',
    );
    process.exit(1);
  }
  register();
  await import('../src/cli/main.ts');
}
