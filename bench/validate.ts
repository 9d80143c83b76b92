/**
 * Runs the dev validation manifest (validation/dev.manifest.json: every annotated real case in
 * ../shared/data and chest phantoms at 1, 2.5, 5 and 8 mm) through the harness, writes
 * bench/out/validation/{validation.json,validation.html}, and regenerates docs/validation.md and the
 * "Validated on" sections of the task pages. Every run is computed afresh (the cache cannot tell
 * that the task code changed); `--resume` reuses the cached runs of a stopped run instead.
 * Run: npm run validate [-- --resume] [-- --case <id>] [-- --no-docs]
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import { fmt } from '../src/validation/html.js';
import { validate } from '../src/validation/index.js';
import { writeValidationDocs } from '../scripts/validation-docs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const manifestPath = resolve(ROOT, 'validation/dev.manifest.json');
const only = args.flatMap((a, i) => (a === '--case' && args[i + 1] ? [args[i + 1]!] : []));
const t0 = performance.now();
const { report, cachedRuns, files } = await validate(readFileSync(manifestPath, 'utf8'), {
  manifestDir: dirname(manifestPath),
  dataRoot: process.env.MEDIMG_DATA ?? resolve(ROOT, '../shared/data'),
  outDir: resolve(ROOT, 'bench/out/validation'),
  resume: args.includes('--resume'),
  ...(only.length ? { cases: only } : {}),
  onRun: (r, cached) =>
    console.log(
      `${r.caseId}/${r.runId}: ${r.status === 'ok' ? 'ok' : `${r.error?.code} ${r.error?.message}`}${cached ? ' (cached)' : ` ${fmt(r.seconds, 1)} s`}`,
    ),
});
for (const c of report.cases) if (c.error) console.log(`${c.id}: case failed: ${c.error.code}: ${c.error.message}`);
for (const s of report.summary) {
  console.log(`\n${s.group}: ${s.cases} case(s), ${s.runs} run(s), ${s.failedRuns} failed`);
  for (const [k, c] of Object.entries(s.metrics))
    console.log(`  ${k}: ${fmt(c.estimate)}${c.low !== null ? ` [${fmt(c.low)}, ${fmt(c.high)}]` : ''} (n=${c.n})`);
}
console.log(`\n${cachedRuns} cached run(s); ${files.join(', ')}; ${fmt((performance.now() - t0) / 1000, 0)} s`);
if (!args.includes('--no-docs') && !only.length)
  for (const f of writeValidationDocs(report, ROOT)) console.log(`wrote ${f}`);
