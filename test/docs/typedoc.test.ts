// `npm run docs` stays clean: TypeDoc converts the public entries (same typedoc.json and area
// plugin) with warnings as errors, so an unresolved link, a guide link to a missing page or a
// public signature naming an unexported type fails here. No HTML is written (--emit none);
// about 20 s of CPU.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

it('typedoc converts the public API without warnings', () => {
  const bin = path.resolve(import.meta.dirname, '../../node_modules/typedoc/bin/typedoc');
  const r = spawnSync(process.execPath, [bin, '--emit', 'none', '--treatWarningsAsErrors'], { encoding: 'utf8' });
  const warnings = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => /warning|error/i.test(l) && !/Found 0 errors and 0 warnings/.test(l));
  expect(warnings).toEqual([]);
  expect(r.status).toBe(0);
}, 300_000);
