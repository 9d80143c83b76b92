// Writes docs/validation.md and the "Validated on" / "Not validated on" sections of the task pages
// from a validation.json (the last `npm run validate`). Run: npm run validate:docs [-- path/to/validation.json]
import { readFileSync, writeFileSync } from 'node:fs';
import type { BootstrapCi } from '../src/core/metrics/index.js';
import { fmt, fmtCi } from '../src/validation/html.js';
import type { ValidationCaseReport, ValidationReport, ValidationRun } from '../src/validation/index.js';

/** Task page of each task, and what the harness cannot tell about it yet. */
export const TASK_PAGES: Record<string, { page: string; always: string[] }> = {
  detectNodules: {
    page: 'docs/tasks/detect-nodules.md',
    always: [
      'Low-dose screening CT with annotated nodules (Lung-RADS applies to these; no such case is in the dev manifest).',
      'Real sub-solid (ground-glass, part-solid) nodules and real nodules under 30 mm: the real cases hold one mass each.',
    ],
  },
  segmentTumor: {
    page: 'docs/tasks/segment-tumor.md',
    always: ['Lesions other than lung masses and one limb sarcoma (liver, lymph nodes, brain).'],
  },
  quantifyLungOpacity: {
    page: 'docs/tasks/quantify-lung-opacity.md',
    always: [
      'Any real CT with reference opacity volumes: no annotated case exists, and the harness does not run this task yet.',
    ],
  },
  segmentBrainTissue: {
    page: 'docs/tasks/brain-tissue.md',
    always: [
      'The FreeSurfer-labelled 1 mm T1 in ../shared/data/validation/brain_mri is compared by bench/brain-tissue-validation.ts (figures above), not by the harness, which does not run this task yet.',
    ],
  },
  measureBoneDensity: {
    page: 'docs/tasks/measure-bone-density.md',
    always: [
      'Any real CT with a reference for vertebral HU (QCT calibration phantom or DXA): real runs have no truth, so their HU error is not measured.',
    ],
  },
};

const BANDS = ['<=1.5 mm', '1.5-3 mm', '3-5 mm', '>5 mm'];
const MAKERS = ['GE', 'Philips', 'Siemens', 'Canon/Toshiba'];
const MAIN_METRICS: Record<string, string[]> = {
  detectNodules: ['sensitivity', 'falseFindings'],
  segmentTumor: [
    'dice',
    'hd95Mm',
    'assdMm',
    'volumeErrorPct',
    'longAxisErrorMm',
    'meanBoxIoU',
    'minBoxIoU',
    'volumeMl',
    'volumeMaxDevFromMedianPct',
  ],
  measureBoneDensity: ['meanAbsErrorHU', 'maxAbsErrorHU', 'vertebrae'],
};

const isReal = (c: ValidationCaseReport): boolean => c.attributes.scanner !== 'phantom';

function attrs(c: ValidationCaseReport): string {
  const a = c.attributes;
  return [
    a.modality,
    a.scanner,
    a.kernel,
    a.sliceThicknessMm !== undefined ? `${a.sliceThicknessMm} mm` : undefined,
    a.sex,
    a.ageBand,
    a.contrast && a.contrast !== 'unknown' ? `contrast ${a.contrast}` : undefined,
  ]
    .filter((x) => x !== undefined && x !== '')
    .join(', ');
}

function runFigures(task: string, r: ValidationRun): string {
  if (r.status !== 'ok') return `failed: ${r.error?.code}`;
  const keys = MAIN_METRICS[task] ?? [];
  const figs = keys
    .filter((k) => r.metrics[k] !== undefined && r.metrics[k] !== null)
    .map((k) => `${k} ${fmt(r.metrics[k])}`);
  const notes = Object.entries(r.notes)
    .filter(([k]) => k !== 'sweep')
    .map(([k, v]) => `${k.replace(/^lesion:/, '')}: ${v}`);
  return [...figs, ...notes].join('; ');
}

const row = (cells: (string | number)[]): string =>
  `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;

function summaryTable(report: ValidationReport, task: string): string[] {
  const out: string[] = [];
  for (const s of report.summary.filter((x) => x.task === task)) {
    out.push(`**${s.group}**: ${s.cases} case(s), ${s.runs} run(s), ${s.failedRuns} failed.`, '');
    out.push(row(['metric', 'cases', 'mean [95 % CI]']), row(['---', '---', '---']));
    for (const k of MAIN_METRICS[task] ?? []) {
      const c: BootstrapCi | undefined = s.metrics[k];
      if (c) out.push(row([k, c.n, fmtCi(c)]));
    }
    if (s.froc)
      out.push(
        '',
        `FROC over ${s.froc.scans} swept scans (${s.froc.lesions} lesions): ${s.froc.fpRates.map((r, i) => `${r}/scan ${fmt(s.froc!.sensitivities[i])}`).join(', ')}; CPM ${fmt(s.froc.cpm)}.`,
      );
    out.push('');
  }
  return out;
}

function notValidatedOn(report: ValidationReport, task: string): string[] {
  const real = report.cases.filter((c) => isReal(c) && c.runs.some((r) => r.task === task && r.status === 'ok'));
  const out: string[] = [...(TASK_PAGES[task]?.always ?? [])];
  const bands = new Set(real.map((c) => String(c.attributes.sliceBand)));
  const missingBands = BANDS.filter((b) => !bands.has(b));
  if (missingBands.length) out.push(`Real scans with slices of ${missingBands.join(', ')} (phantoms only, if any).`);
  const makers = real.map((c) => String(c.attributes.scanner ?? '').toLowerCase());
  const missingMakers = MAKERS.filter(
    (m) =>
      !makers.some((s) =>
        m
          .toLowerCase()
          .split('/')
          .some((x) => s.includes(x)),
      ),
  );
  if (missingMakers.length) out.push(`Scanners by ${missingMakers.join(', ')}.`);
  const sexes = new Set(real.map((c) => c.attributes.sex).filter(Boolean));
  if (sexes.size < 2)
    out.push(
      `Both sexes (known for ${sexes.size ? [...sexes].join(', ') : 'no case'}); age bands ${real.some((c) => c.attributes.ageBand) ? 'partly' : 'not'} known.`,
    );
  if (!real.some((c) => c.attributes.contrast && c.attributes.contrast !== 'unknown'))
    out.push('Known contrast phase (recorded as unknown on every real case).');
  const mods = new Set(real.map((c) => c.attributes.modality));
  if (!mods.has('MR') && task === 'segmentTumor') out.push('MR.');
  if (real.length < 5)
    out.push(`More than ${real.length} real case(s): intervals over so few cases are wide or absent.`);
  return out;
}

/** The "Validated on" and "Not validated on" markdown of one task. */
export function validatedOnSection(report: ValidationReport, task: string): string {
  const date = report.createdAt.slice(0, 10);
  const lines: string[] = [
    `## Validated on (\`npm run validate\`, ${date}, medimg ${report.medimgVersion})`,
    '',
    'Generated from `validation.json` of the dev manifest (`validation/dev.manifest.json`) by `npm run validate:docs`; do not edit by hand. Intervals: 95 % percentile bootstrap over cases (runs of one case averaged first), seeded; none with fewer than 3 cases.',
    '',
    row(['case', 'attributes', 'run', 'figures']),
    row(['---', '---', '---', '---']),
  ];
  const runs = report.cases.flatMap((c) => c.runs.filter((x) => x.task === task).map((r) => ({ c, r })));
  if (runs.length === 0) {
    lines.splice(4, 2, 'No case of the dev manifest runs this task: it is not validated by the harness on real scans.');
    lines.push('', '### Not validated on', '');
    for (const n of TASK_PAGES[task]?.always ?? []) lines.push(`- ${n}`);
    return `${lines.join('\n')}\n`;
  }
  for (const { c, r } of runs) lines.push(row([c.id, attrs(c), r.runId, runFigures(task, r)]));
  lines.push('', ...summaryTable(report, task), '### Not validated on', '');
  for (const n of notValidatedOn(report, task)) lines.push(`- ${n}`);
  return `${lines.join('\n')}\n`;
}

const START = '<!-- validated-on:start -->';
const END = '<!-- validated-on:end -->';

/** Puts a generated section between the markers of a page (before '## Limits' the first time). */
export function replaceSection(page: string, section: string): string {
  const block = `${START}\n${section}${END}`;
  const i = page.indexOf(START);
  const j = page.indexOf(END);
  if (i >= 0 && j > i) return page.slice(0, i) + block + page.slice(j + END.length);
  const k = page.indexOf('\n## Limits');
  return k >= 0 ? `${page.slice(0, k + 1)}${block}\n\n${page.slice(k + 1)}` : `${page.trimEnd()}\n\n${block}\n`;
}

/** docs/validation.md: the whole summary. */
export function validationMarkdown(report: ValidationReport): string {
  const L: string[] = [
    '# Validation',
    '',
    `Last run: ${report.createdAt} (medimg ${report.medimgVersion}), manifest \`validation/dev.manifest.json\` (${report.manifest.cases} cases). Generated by \`npm run validate\` (harness \`validate()\` / \`medimg validate\`, see [cli.md](cli.md)); do not edit by hand.`,
    '',
    "How to read it: every case is a real annotated scan from `../shared/data` (named below) or a synthetic chest phantom with exact truth. Detection: a lesion is hit when a finding at or above the threshold has its centre inside the lesion (its mask, or the hull of its expert boxes widened by half a slice) or within its radius; findings hitting nothing are false findings. Segmentation: Dice, HD95 and ASSD against masks; per-slice IoU of the result's box against each expert box; volume and RECIST long-axis error. HU: the measured region nearest the expected point (within 15 mm). Summaries average each case's runs first and give a 95 % percentile bootstrap interval over cases (2000 resamples, seed 1); with fewer than 3 cases there is no interval. Real scans and phantoms are summarised apart, never pooled. These are not held-out figures: the real cases of the dev manifest are the ones the tasks were developed on (detectNodules' shipped score is fitted on both chest CTs, its leave-one-patient-out check is on its page; segmentTumor was tuned on the chest CTs and STS_001), so they show behaviour on these scans, not an estimate for unseen scans. The harness fits nothing.",
    '',
    '## Summary per task',
    '',
  ];
  for (const task of ['detectNodules', 'segmentTumor', 'measureBoneDensity'])
    L.push(`### ${task}`, '', ...summaryTable(report, task));
  L.push(
    '## Per case',
    '',
    row(['case', 'attributes', 'run', 'figures', 'limitations', 's']),
    row(['---', '---', '---', '---', '---', '---']),
  );
  for (const c of report.cases) {
    if (c.error) L.push(row([c.id, attrs(c), '–', `case failed: ${c.error.code}: ${c.error.message}`, '', '']));
    for (const r of c.runs)
      L.push(
        row([
          c.id,
          attrs(c),
          r.runId,
          runFigures(r.task, r),
          r.limitations.map((l) => l.code).join(', ') || '–',
          fmt(r.seconds, 1),
        ]),
      );
  }
  L.push(
    '',
    '## Subgroup audit (bias)',
    '',
    'The main metric per subgroup of each case attribute (real and phantom cases together; `phantom` is a scanner of its own).',
    '',
  );
  for (const s of report.summary)
    for (const g of s.subgroups) {
      L.push(
        `**${s.group}: ${g.metric}**`,
        '',
        row(['attribute', 'group', 'cases', 'value']),
        row(['---', '---', '---', '---']),
      );
      for (const a of g.audits) for (const x of a.groups) L.push(row([a.attribute, x.group, x.n, fmt(x.value)]));
      L.push('');
    }
  L.push('## Cases', '');
  for (const c of report.cases) L.push(`- \`${c.id}\`: ${c.source ?? ''}`);
  return `${L.join('\n')}\n`;
}

/** Writes docs/validation.md and the task pages' sections. */
export function writeValidationDocs(report: ValidationReport, root = '.'): string[] {
  const written = [`${root}/docs/validation.md`];
  writeFileSync(written[0]!, validationMarkdown(report));
  for (const [task, { page }] of Object.entries(TASK_PAGES)) {
    const p = `${root}/${page}`;
    writeFileSync(p, replaceSection(readFileSync(p, 'utf8'), validatedOnSection(report, task)));
    written.push(p);
  }
  return written;
}

if (process.argv[1]?.endsWith('validation-docs.ts')) {
  const path = process.argv[2] ?? 'bench/out/validation/validation.json';
  const report = JSON.parse(readFileSync(path, 'utf8')) as ValidationReport;
  for (const f of writeValidationDocs(report)) console.log(f);
}
