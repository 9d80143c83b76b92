import { readFile, stat } from 'node:fs/promises';
import type { Volume } from '../../core/volume.js';
import { extractRadiomics } from '../../tasks/radiomics/index.js';
import { isVolumeFile, loadStudy, readVolumeFile } from '../analysis/input.js';
import { readMaskInput } from '../analysis/mask-input.js';
import { EXIT, parseCommandArgs, parsePositiveInt, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg radiomics --image <file|dicom-folder> --mask <file|seg.dcm> [options]

Extracts radiomics features as PyRadiomics does (same settings and feature names, e.g.
original_glcm_Contrast) and prints them like PyRadiomics's command line: diagnostics first, then
features.

Options:
  --image <path>        NIfTI/NRRD file or DICOM folder
  --mask <path>         NIfTI/NRRD label image on the same grid, or a DICOM SEG of the image
                        (placed on the image's grid by its plane positions)
  --segment <n|label>   SEG segment by number or label (needed when the SEG holds several)
  --params <file>       PyRadiomics parameter file (YAML or JSON); default PyRadiomics defaults
  --label <n>           label map value of the ROI (default 1, or the parameter file's)
  --format <csv|json|txt>  output format (default csv; --json is --format json)
  -h, --help            this text

Exit codes: 0 ok, 1 internal error, 2 bad input (missing file, empty mask, grid mismatch).`;

function cell(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `(${v.map(cell).join(', ')})`;
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvQuote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function loadImage(path: string): Promise<Volume> {
  if (isVolumeFile(path)) return readVolumeFile(path);
  return (await loadStudy(path)).image;
}

export const radiomicsCommand: Command = {
  name: 'radiomics',
  summary: 'PyRadiomics-compatible features of an image and mask, as CSV or JSON',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        image: { type: 'string', short: 'i' },
        mask: { type: 'string', short: 'm' },
        params: { type: 'string', short: 'p' },
        label: { type: 'string', short: 'l' },
        segment: { type: 'string', short: 's' },
        format: { type: 'string', short: 'f' },
      },
      true,
    );
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    // PyRadiomics also takes image and mask as positionals.
    const imagePath = values.image ?? positionals[0];
    const maskPath = values.mask ?? positionals[1];
    if (!imagePath || !maskPath) throw new UsageError("'medimg radiomics' needs --image and --mask. Try --help.");
    const format = values.json ? 'json' : (values.format ?? 'csv');
    if (!['csv', 'json', 'txt'].includes(format))
      throw new UsageError(`--format must be csv, json or txt, got '${format}'.`);
    for (const p of [imagePath, maskPath]) {
      await stat(p).catch(() => {
        throw new UsageError(`Cannot read '${p}': no such file or folder.`);
      });
    }
    let params: string | undefined;
    if (values.params) {
      params = await readFile(values.params, 'utf8').catch(() => {
        throw new UsageError(`Cannot read the parameter file '${values.params}'.`);
      });
    }
    const image = await loadImage(imagePath);
    const roi = await readMaskInput(maskPath, image, values.segment);
    if (roi.segment && values.label) {
      throw new UsageError('--label applies to label maps; pick a SEG segment with --segment <n|label>.');
    }
    const mask = roi.mask;
    let settings: Parameters<typeof extractRadiomics>[2] = params ?? {};
    if (values.label || roi.label !== undefined) {
      const label = roi.label ?? parsePositiveInt(values.label, '--label', 1);
      const { parseParameterFile } = await import('../../tasks/radiomics/index.js');
      const base = params ? parseParameterFile(params) : {};
      settings = { ...base, label };
    }
    const result = await extractRadiomics(image, mask, settings);
    const row: Record<string, unknown> = {
      Image: imagePath,
      Mask: maskPath,
      ...(roi.segment ? { Segment: `${roi.segment.number} ${roi.segment.label}` } : {}),
      ...result.diagnostics,
      ...result.features,
    };
    if (format === 'json') printJson(row);
    else if (format === 'csv') {
      const keys = Object.keys(row);
      printLines([keys.map(csvQuote).join(','), keys.map((k) => csvQuote(cell(row[k]))).join(',')]);
    } else {
      printLines(Object.entries(row).map(([k, v]) => `${k}: ${cell(v)}`));
    }
    if (result.unavailable.length) process.stderr.write(`medimg: not computed: ${result.unavailable.join('; ')}\n`);
    return EXIT.ok;
  },
};
