import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeChestCtPhantom } from '../../core/phantoms/chest-ct.js';
import { writeNifti } from '../../io/nifti.js';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../safe-write.js';
import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { loadStudy } from '../analysis/input.js';
import { writePhantomDicom } from '../analysis/phantom-dicom.js';
import { analyzeLoaded } from '../analysis/study.js';
import type { TaskReport } from '../../tasks/report.js';
import { type AnalysisSettings, CT_TASKS } from '../analysis/tasks.js';
import { printJson, printLines } from '../output.js';
import { createProgressBar } from '../progress.js';
import { studyLines } from './analyze.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg demo [--out <dir>] [--seed N] [--json]

Builds the synthetic chest CT phantom (noise, 8 nodules, a tumour, vertebrae with known density),
writes it as a DICOM series and as NIfTI, reads the DICOM back and runs every CT task on it
(nodules, bone, tumor with a seed at the tumour, opacity, radiomics on the tumour mask). Writes the
same outputs as 'medimg analyze' (report.json, seg.dcm, sr.dcm, PNGs, summary.html) and a
truth.json with the phantom's exact ground truth to compare against.

Options:
  --out <dir>   output folder (default: medimg-demo-output)
  --seed <n>    phantom seed (default 1)
  --json        print the summary as JSON
  -q, --quiet   no progress lines on stderr
  -h, --help    this text`;

interface Validation {
  nodules: { truth: number; found: number; falsePositives: number };
  tumorVolumeErrorPct: number;
  boneMeanAbsErrorHU: number;
  boneMatched: number;
}

/** Compares the analysis with the phantom's truth: nodule hits by centre distance, tumour volume, vertebral HU. */
function compareWithTruth(
  results: Record<string, unknown>,
  truth: {
    nodules: { centerMm: number[]; diameterMm: number }[];
    tumor: { volumeMl: number } | null;
    vertebrae: { trabecularHU: number }[];
  },
): Validation {
  // report.json parts follow the task report types (read back from JSON)
  const nodules = results.nodules as TaskReport<'detectNodules'> | undefined;
  const tumour = results.tumor as TaskReport<'segmentTumor'> | undefined;
  const bone = results.bone as TaskReport<'measureBoneDensity'> | undefined;
  const found = (nodules?.nodules ?? []).map((n) => n.centerMm);
  const used = new Set<number>();
  let hits = 0;
  for (const t of truth.nodules) {
    const tol = Math.max(5, t.diameterMm / 2);
    const i = found.findIndex(
      (c, j) =>
        !used.has(j) && Math.hypot(c[0]! - t.centerMm[0]!, c[1]! - t.centerMm[1]!, c[2]! - t.centerMm[2]!) <= tol,
    );
    if (i >= 0) {
      used.add(i);
      hits++;
    }
  }
  const ml = tumour?.lesions[0]?.volumeMl; // null in JSON when not finite
  const tumorErr =
    typeof ml === 'number' && truth.tumor ? (100 * (ml - truth.tumor.volumeMl)) / truth.tumor.volumeMl : Number.NaN;
  const verts = bone?.vertebrae ?? [];
  // Both lists run top to bottom; compare when the counts agree (else the first ones).
  const n = Math.min(verts.length, truth.vertebrae.length);
  let abs = 0;
  for (let i = 0; i < n; i++) abs += Math.abs((verts[i]!.meanHU ?? Number.NaN) - truth.vertebrae[i]!.trabecularHU);
  return {
    nodules: { truth: truth.nodules.length, found: hits, falsePositives: found.length - hits },
    tumorVolumeErrorPct: tumorErr,
    boneMeanAbsErrorHU: n ? abs / n : Number.NaN,
    boneMatched: n,
  };
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run every task on the synthetic chest CT phantom and write the outputs',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { out: { type: 'string', short: 'o' }, seed: { type: 'string' } },
      false,
    );
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    void positionals;
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed needs an integer, got '${values.seed}'.`);
    const out = resolve(values.out ?? 'medimg-demo-output');
    const t0 = performance.now();
    const bar = createProgressBar('Demo', !values.quiet);
    bar.update(0, 'building the phantom');
    const { image, truth } = makeChestCtPhantom({ seed, noiseSd: 15, nodules: 8, tumor: true });
    const dicomDir = join(out, 'phantom-dicom');
    await rm(dicomDir, { recursive: true, force: true });
    bar.update(0.05, 'writing DICOM');
    await writePhantomDicom(image, dicomDir);
    await writeFileAtomic(join(out, 'phantom.nii.gz'), writeNifti(image, { gzip: true }));
    const study = await loadStudy(dicomDir);
    study.name = `chest CT phantom (seed ${seed})`;
    const settings: AnalysisSettings = { tasks: [...CT_TASKS], seed: [...truth.tumor!.centerMm] };
    const summary = await analyzeLoaded(study, settings, out, {
      onProgress: (e) => bar.update(0.1 + 0.9 * e.fraction, e.stage),
    });
    bar.done();
    const truthJson = {
      seed,
      nodules: truth.nodules.map((n) => ({
        diameterMm: n.diameterMm,
        type: n.type,
        lung: n.lung,
        juxtapleural: n.juxtapleural,
        centerMm: n.centerMm,
        volumeMm3: n.volumeMm3,
      })),
      tumor: truth.tumor ? { centerMm: truth.tumor.centerMm, volumeMl: truth.tumor.volumeMm3 / 1000 } : null,
      vertebrae: truth.vertebrae.map((v) => ({ level: v.level, trabecularHU: v.trabecularHU })),
    };
    await writeFileAtomic(join(out, 'truth.json'), `${JSON.stringify(truthJson, null, 2)}\n`);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { results: Record<string, unknown> };
    const validation = compareWithTruth(report.results, truthJson);
    const totalMs = Math.round(performance.now() - t0);
    if (values.json) printJson({ ...summary, totalMs, truth: truthJson, validation });
    else {
      printLines([
        `medimg demo: synthetic chest CT ${image.dims.join(' x ')} at ${image.spacing.join(' x ')} mm, ${truth.nodules.length} nodules, tumour ${(truth.tumor!.volumeMm3 / 1000).toFixed(1)} mL`,
        ...studyLines({ ...summary, ms: totalMs }),
        `  against the phantom's exact truth: ${validation.nodules.found}/${validation.nodules.truth} nodules found (${validation.nodules.falsePositives} other findings, e.g. the tumour), tumour volume error ${validation.tumorVolumeErrorPct.toFixed(1)} %, vertebral HU mean abs error ${validation.boneMeanAbsErrorHU.toFixed(1)} HU over ${validation.boneMatched} vertebrae`,
        `  open ${join(out, 'summary.html')}`,
      ]);
    }
    return summary.ok ? EXIT.ok : EXIT.partial;
  },
};
