// medimg compare <baseline> <followup> --out dir: compareStudies on two studies of one patient,
// writing compare.json, side-by-side pictures and (for DICOM input) a DICOM SR of the findings.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BackendChoice } from '../../backends/types.js';
import { validateModelCard } from '../../backends/model-card.js';
import { writeDicomSr } from '../../io/dicom/sr-write.js';
import type { BrainModelId } from '../../tasks/brain-structures/index.js';
import { compareStudies, presentComparison } from '../../tasks/compare-studies/index.js';
import { loadStudy, readVolumeFile } from '../analysis/input.js';
import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import { createProgressBar } from '../progress.js';
import { ensureDir, guardOutput, writeFileAtomic } from '../safe-write.js';
import type { Command } from './types.js';

const BACKENDS = ['cpu', 'wasm', 'webgpu', 'cuda', 'auto'];

const HELP = `Usage: medimg compare <baseline> <followup> --out <dir> [options]

Registers the follow-up study to the baseline (rigid) and reports what changed:
  CT: lung nodules of both studies matched (new, resolved), diameter and volume change, volume
      doubling time, Lung-RADS v2022 growth rule (> 1.5 mm within 12 months; screening CTs only).
  MR: brain structure volumes at both time points in baseline space, absolute / % / annualised
      change, and whether it exceeds the smallest detectable change. Needs a brain structure
      model (--brain-model: segmentBrainStructures runs on both, the follow-up in baseline
      space) or the two label maps (--baseline-labels, --followup-labels, FreeSurfer aseg).
Inputs are DICOM folders or NIfTI/NRRD/MGH files. Study dates come from the DICOM StudyDate.

Writes to <dir>: compare.json (the result, without images), compare-*.png (both time points side
by side, aligned), compare-sr.dcm (DICOM SR, TID 1500, when the baseline is DICOM).

Options:
  --out <dir>               output folder (required)
  --kind <lung-nodules|brain-structures>  default from the modality (CT / MR)
  --brain-model <file>      brain structure model ONNX (brainchop subcortical18 unless --card)
  --card <id|file>          its card: brainchop-subcortical18, brainchop-aparc50, brainchop-dk104
                            or a card JSON file
  --backend <name>          backend of the model: cpu, wasm, webgpu, cuda, auto (default auto)
  --baseline-labels <file>  baseline label map (brain)
  --followup-labels <file>  follow-up label map (brain)
  --baseline-date <date>    YYYYMMDD or YYYY-MM-DD, overrides the DICOM StudyDate
  --followup-date <date>    likewise for the follow-up
  --affine                  affine after rigid registration
  --json                    print the result as JSON
  -q, --quiet               no progress on stderr
  -h, --help                this text

Exit codes: 0 ok, 2 bad input.`;

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare a follow-up study with its baseline (nodule growth, brain structure change)',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      out: { type: 'string' },
      kind: { type: 'string' },
      'brain-model': { type: 'string' },
      card: { type: 'string' },
      backend: { type: 'string' },
      'baseline-labels': { type: 'string' },
      'followup-labels': { type: 'string' },
      'baseline-date': { type: 'string' },
      'followup-date': { type: 'string' },
      affine: { type: 'boolean' },
    });
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (positionals.length !== 2)
      throw new UsageError("'medimg compare' needs a baseline and a follow-up. Try 'medimg compare --help'.");
    if (!values.out) throw new UsageError("'medimg compare' needs --out <dir>.");
    const kind = values.kind;
    if (kind !== undefined && kind !== 'lung-nodules' && kind !== 'brain-structures') {
      throw new UsageError("--kind must be 'lung-nodules' or 'brain-structures'.");
    }
    const [basePath, followPath] = positionals as [string, string];
    const labelPaths = [values['baseline-labels'], values['followup-labels']].filter((p): p is string => !!p);
    if (labelPaths.length === 1) throw new UsageError('Give both --baseline-labels and --followup-labels, or neither.');
    const modelPath = values['brain-model'];
    if (modelPath && labelPaths.length) throw new UsageError('Give --brain-model or the two label maps, not both.');
    if (values.card && !modelPath) throw new UsageError('--card goes with --brain-model.');
    const backend = values.backend;
    if (backend !== undefined && !BACKENDS.includes(backend)) {
      throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}.`);
    }
    const cardPath = values.card && !/^[a-z0-9-]+$/.test(values.card) ? resolve(values.card) : undefined;
    await guardOutput(
      [basePath, followPath, ...labelPaths, ...(modelPath ? [modelPath] : []), ...(cardPath ? [cardPath] : [])],
      values.out,
    );
    const card = cardPath
      ? validateModelCard(JSON.parse(await readFile(cardPath, 'utf8')))
      : (values.card as BrainModelId | undefined);
    const bar = createProgressBar('Comparing', !values.quiet);
    const base = await loadStudy(basePath);
    const follow = await loadStudy(followPath);
    const result = await compareStudies(base.image, follow.image, {
      ...(kind ? { kind } : {}),
      ...(values['baseline-date'] ? { baselineDate: values['baseline-date'] } : {}),
      ...(values['followup-date'] ? { followUpDate: values['followup-date'] } : {}),
      ...(values.affine ? { registration: { transform: 'affine' as const } } : {}),
      ...(modelPath
        ? {
            brain: {
              model: resolve(modelPath),
              ...(card ? { card } : {}),
              ...(backend ? { backend: backend as BackendChoice } : {}),
            },
          }
        : {}),
      ...(labelPaths.length === 2
        ? {
            brain: {
              baselineLabels: await readVolumeFile(labelPaths[0]!),
              followUpLabels: await readVolumeFile(labelPaths[1]!),
            },
          }
        : {}),
      onProgress: (e) => bar.update(e.fraction, e.stage),
    });
    bar.done();
    const p = presentComparison(result, base.image);
    await ensureDir(values.out);
    const { followUpInBaseline: _img, labels: _labels, ...plain } = result;
    await writeFileAtomic(join(values.out, 'compare.json'), `${JSON.stringify(plain, null, 2)}\n`);
    for (const pic of p.pictures) await writeFileAtomic(join(values.out, pic.file), pic.png);
    if (base.kind === 'dicom' && p.findings.length) {
      await writeFileAtomic(
        join(values.out, 'compare-sr.dcm'),
        writeDicomSr({ findings: p.findings.map(({ segment: _s, ...f }) => f) }, base.image),
      );
    }
    if (values.json) printJson(plain);
    else {
      printLines([
        `registered: rotation ${result.registration.rotationDeg} deg, ncc ${result.registration.ncc}; interval ${result.intervalDays ?? 'unknown'} days`,
        ...p.tables.flatMap((t) => [t.title, t.columns.join(' | '), ...t.rows.map((r) => r.join(' | '))]),
        ...result.limitations.map((l) => `limitation ${l.code}: ${l.message}`),
        `written to ${values.out}`,
      ]);
    }
    return EXIT.ok;
  },
};
