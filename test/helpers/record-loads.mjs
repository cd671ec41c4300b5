// Preloaded with `node --import` (test/cli/startup.int.test.ts): records every module the process
// loads, one absolute path or URL a line, into the file named by CIVIC_RECORD_LOADS. ES modules are
// seen by a resolve hook (module.register, which runs in the loader's own thread), CommonJS ones,
// including those a CommonJS package requires, by wrapping Module._load.
import { appendFileSync } from 'node:fs';
import { Module, register } from 'node:module';

const out = process.env.CIVIC_RECORD_LOADS;
if (out) {
  register(new URL('./record-loads-hooks.mjs', import.meta.url), { data: { out } });
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const exports = load.apply(this, arguments);
    try {
      appendFileSync(out, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      // a built-in module (no file), or one resolved some other way: nothing to record
    }
    return exports;
  };
}
