import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const IO = join(dirname(fileURLToPath(import.meta.url)), '../../src/io');

it('NRRD, gzip and PNG code import no node: modules (the browser entry stays clean)', () => {
  const files = ['nrrd.ts', 'gzip.ts', ...readdirSync(join(IO, 'png')).map((f) => `png/${f}`)];
  for (const f of files) {
    // code only: TSDoc examples may show a Node caller (`import { writeFile } from 'node:fs/promises'`)
    const src = readFileSync(join(IO, f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    expect(src, f).not.toMatch(/from\s+['"]node:/);
    expect(src, f).not.toMatch(/require\(/);
  }
});
