import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT, parseCommandArgs, parsePositiveInt, parseTriple, UsageError } from '../args.js';
import { defaultJobs, runBatch } from '../analysis/batch.js';
import { batchStudies, readVolumeFile } from '../analysis/input.js';
import { parseBoxSlice, parseBoxVoxel, parseSeedSlice, parseSeedVoxel } from '../analysis/locate.js';
import { analyzeStudy, type StudySummary } from '../analysis/study.js';
import { TASKS } from '../../tasks/registry.js';
import { type AnalysisSettings, CT_TASKS, checkSettings, parseTasks, TASK_NAMES } from '../analysis/tasks.js';
import { cliEntryUrl } from '../entry.js';
import { printJson, printLines } from '../output.js';
import { createProgressBar } from '../progress.js';
import { requireModelFiles } from '../analysis/model-files.js';
import type { Command } from './types.js';

/** One entry per registered task: its CLI name and summary, wrapped under 92 columns. */
function taskHelpLines(): string {
  const lines: string[] = [];
  for (const t of TASKS) {
    if (t.hidden) continue;
    let line = `  ${t.cliName.padEnd(10)} `;
    for (const word of t.summary.split(' ')) {
      if (line.length + word.length > 92) {
        lines.push(line.trimEnd());
        line = ' '.repeat(13);
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}

const HELP = `Usage: medimg analyze <dicom-folder | nifti | nrrd | folder-of-studies> --tasks <list> [options]

Runs the tasks on a study and writes into --out: report.json (all figures), seg.dcm (DICOM SEG)
and sr.dcm (DICOM SR TID 1500) when the input is DICOM, PNG overlays, radiomics.csv, and a
self-contained summary.html.

A folder whose entries are sub-folders (or NIfTI/NRRD files) and no DICOM files of its own is a
batch: each entry is a study, written to <out>/<name>/, run in a pool of worker threads. A study
whose report.json exists is skipped (--force redoes it); a failing study is reported and the
others go on.

Tasks (comma-separated, or 'all' = ${CT_TASKS.join(',')}):
${taskHelpLines()}

Options:
  --tasks <list>        tasks to run (required)
  --out <dir>           output folder (default: medimg-output)
  --seed <x,y,z>        tumour seed point, LPS mm (as 'medimg info'/viewers show world coordinates)
  --box <x0,y0,z0,x1,y1,z1>  tumour box, LPS mm
  --seed-voxel <i,j,k>  tumour seed as a voxel index (0-based: column, row, slice in position order)
  --box-voxel <i0,j0,k0,i1,j1,k1>  tumour box in voxel indices (0-based, corners included)
  --seed-slice <n:x,y>  tumour seed on slice n (1-based, as 'medimg info' counts) at pixel column x, row y
  --box-slice <n0-n1:x0,y0,x1,y1>  tumour box: slices n0..n1, pixel columns x0..x1, rows y0..y1
  --mask <file>         radiomics ROI (NIfTI/NRRD on the image grid) when tumor does not run
  --params <file>       PyRadiomics parameter file (YAML/JSON) for radiomics
  --model <file>        ONNX model for brain, brain-structures, brain-mask, structures
  --card <id|file>      its model card: a shipped card id (brainchop-subcortical18, brainchop-aparc50,
                        brainchop-dk104, brainchop-mindgrab) or a card JSON file
  --brain-mask-model <file>  MindGrab ONNX: brain-structures divides by its intracranial volume
  --tumor-model <file>  tumour segmentation model (X.onnx beside X.card.json, or the card): tumor runs
                        automatically without a seed/box, or keeps the lesion pointed at
  --nodule-model <file> nodule detector (heatmap or boxes, with its card) for nodules
  --vertebra-model <file>  vertebra label model (with its card) for bone: ROIs and levels
  --classify-model <file>  image classifier (with its card) for classify: probabilities, occlusion map
  --backend <name>      inference backend for model tasks: cpu (default), auto, cuda, webgpu, wasm
  --series <id|index>   which DICOM series to analyse (default: the largest CT/MR series)
  --allow-gaps          read a series with unreadable files or missing slices (default: refused,
                        SERIES_INCOMPLETE); the study then exits 3 and report notes say so
  --jobs <n>            batch: studies at once (default ${defaultJobs()} here)
  --force               batch: redo studies that already have a report.json
  --single              treat the folder as one study even if its DICOM files sit in sub-folders
  --json                print the summary as JSON
  -q, --quiet           no progress lines on stderr (drawn as a bar on a terminal, plain lines elsewhere)
  -h, --help            this text

Exit codes: 0 ok, 1 internal error, 2 bad input, 3 some studies or tasks failed.`;

const BACKENDS = ['auto', 'cpu', 'cuda', 'webgpu', 'wasm'];

function parseBox(text: string): AnalysisSettings['box'] {
  const v = text.split(',').map((s) => Number(s.trim()));
  if (v.length !== 6 || !v.every(Number.isFinite)) {
    throw new UsageError(`--box needs six comma-separated numbers x0,y0,z0,x1,y1,z1 (LPS mm), got '${text}'.`);
  }
  return {
    min: [Math.min(v[0]!, v[3]!), Math.min(v[1]!, v[4]!), Math.min(v[2]!, v[5]!)],
    max: [Math.max(v[0]!, v[3]!), Math.max(v[1]!, v[4]!), Math.max(v[2]!, v[5]!)],
  };
}

/** Prints one study's summary lines. */
export function studyLines(s: StudySummary): string[] {
  if (s.skipped) return [`${s.name}: skipped (report.json exists; --force to redo)`];
  if (s.error) return [`${s.name}: FAILED ${s.error.code}: ${s.error.message}`];
  const lines = [
    `${s.name}: ${s.ok ? 'done' : 'done with failed tasks'} in ${(s.ms / 1000).toFixed(1)} s -> ${s.outDir}`,
  ];
  for (const h of s.headlines) lines.push(`  ${h}`);
  for (const c of s.caveats ?? []) lines.push(`  caveat: ${c}`);
  for (const [t, e] of Object.entries(s.failedTasks)) lines.push(`  ${t}: FAILED ${e}`);
  for (const n of s.notes ?? []) lines.push(`  ${n}`);
  return lines;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'run tasks on a study (or a folder of studies) and write report, SEG, SR, PNGs, HTML',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      tasks: { type: 'string', short: 't' },
      out: { type: 'string', short: 'o' },
      seed: { type: 'string' },
      box: { type: 'string' },
      'seed-voxel': { type: 'string' },
      'box-voxel': { type: 'string' },
      'seed-slice': { type: 'string' },
      'box-slice': { type: 'string' },
      mask: { type: 'string' },
      params: { type: 'string' },
      model: { type: 'string' },
      'tumor-model': { type: 'string' },
      'nodule-model': { type: 'string' },
      'vertebra-model': { type: 'string' },
      'classify-model': { type: 'string' },
      card: { type: 'string' },
      'brain-mask-model': { type: 'string' },
      backend: { type: 'string' },
      series: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      force: { type: 'boolean' },
      single: { type: 'boolean' },
      'allow-gaps': { type: 'boolean' },
    });
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (positionals.length !== 1)
      throw new UsageError("'medimg analyze' needs one input. Try 'medimg analyze --help'.");
    if (!values.tasks) throw new UsageError(`--tasks is required (${TASK_NAMES.join(', ')}, or all).`);
    const input = positionals[0]!;
    const settings: AnalysisSettings = { tasks: parseTasks(values.tasks) };
    if (values['allow-gaps']) settings.allowGaps = true;
    if (values.seed) settings.seed = parseTriple(values.seed, '--seed');
    if (values.box) settings.box = parseBox(values.box);
    const seedVoxels = [
      values['seed-voxel'] && parseSeedVoxel(values['seed-voxel']),
      values['seed-slice'] && parseSeedSlice(values['seed-slice']),
    ];
    const boxVoxels = [
      values['box-voxel'] && parseBoxVoxel(values['box-voxel']),
      values['box-slice'] && parseBoxSlice(values['box-slice']),
    ];
    if (seedVoxels.filter(Boolean).length + boxVoxels.filter(Boolean).length > 1) {
      throw new UsageError('Give one of --seed, --box, --seed-voxel, --box-voxel, --seed-slice, --box-slice.');
    }
    const seedVoxel = seedVoxels.find(Boolean);
    const boxVoxel = boxVoxels.find(Boolean);
    if (seedVoxel) settings.seedVoxel = seedVoxel;
    if (boxVoxel) settings.boxVoxel = boxVoxel;
    if (values.model) settings.brainModel = resolve(values.model);
    if (values['tumor-model']) settings.tumorModel = await requireModelFiles(values['tumor-model'], '--tumor-model');
    if (values['nodule-model'])
      settings.noduleModel = await requireModelFiles(values['nodule-model'], '--nodule-model');
    if (values['vertebra-model'])
      settings.vertebraModel = await requireModelFiles(values['vertebra-model'], '--vertebra-model');
    if (values['classify-model'])
      settings.classifyModel = await requireModelFiles(values['classify-model'], '--classify-model');
    if (values.card) settings.modelCard = /^[a-z0-9-]+$/.test(values.card) ? values.card : resolve(values.card);
    if (values['brain-mask-model']) settings.brainMaskModel = resolve(values['brain-mask-model']);
    if (values.backend) {
      if (!BACKENDS.includes(values.backend)) {
        throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${values.backend}'.`);
      }
      settings.backend = values.backend as AnalysisSettings['backend'];
    }
    if (values.params) {
      settings.radiomicsParams = await readFile(values.params, 'utf8').catch(() => {
        throw new UsageError(`Cannot read the parameter file '${values.params}'.`);
      });
    }
    if (values.mask && !settings.tasks.includes('tumor')) {
      await stat(values.mask).catch(() => {
        throw new UsageError(`Cannot read the mask '${values.mask}': no such file.`);
      });
      settings.radiomicsMask = await readVolumeFile(values.mask);
    }
    checkSettings(settings);
    await stat(input).catch(() => {
      throw new UsageError(`Cannot read '${input}': no such file or folder.`);
    });
    const out = resolve(values.out ?? 'medimg-output');
    const jobs = parsePositiveInt(values.jobs, '--jobs', defaultJobs());
    const showBar = !values.quiet;

    const studies = values.single ? undefined : await batchStudies(input);
    if (studies) {
      const bar = createProgressBar(`Studies 0/${studies.length}`, showBar);
      const list = await runBatch(studies, out, settings, {
        jobs,
        force: Boolean(values.force),
        ...(values.series ? { series: values.series } : {}),
        workerUrl: cliEntryUrl(),
        onStudyDone: (s, done, total) => {
          bar.update(done / total, `${done}/${total} ${s.name}`);
          if (!values.json) {
            bar.done();
            printLines(studyLines(s));
          }
        },
      });
      bar.done();
      const failed = list.filter((s) => s.error || !s.ok || s.incomplete);
      if (values.json) printJson({ out, studies: list });
      else
        printLines([
          `${list.length} studies: ${list.filter((s) => s.ok && !s.skipped).length} done, ${list.filter((s) => s.skipped).length} skipped, ${failed.length} failed`,
        ]);
      return failed.length ? EXIT.partial : EXIT.ok;
    }

    const bar = createProgressBar('Analysing', showBar);
    const summary = await analyzeStudy(input, settings, out, {
      ...(values.series ? { series: values.series } : {}),
      onProgress: (e) => bar.update(e.fraction, e.stage),
    });
    bar.done();
    if (values.json) printJson(summary);
    else printLines([...studyLines(summary), `  open ${resolve(out, 'summary.html')}`]);
    return summary.ok && !summary.incomplete ? EXIT.ok : EXIT.partial;
  },
};
