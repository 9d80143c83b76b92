import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { outputKind, parseModelCard } from '../../backends/model-card.js';
import { isMedImgError } from '../../core/errors.js';
import type { Volume } from '../../core/volume.js';
import { readRadiograph } from '../../io/dicom/radiograph.js';
import { classifyImage, predictValues } from '../../tasks/classify/index.js';
import type { ClassifyInput } from '../../tasks/classify/types.js';
import { renderSensitivityPng } from '../../tasks/explain/picture.js';
import { loadStudy } from '../analysis/input.js';
import { requireModelFiles } from '../analysis/model-files.js';
import { EXIT, parseCommandArgs, parsePositiveInt, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import type { Command } from './types.js';

const BACKENDS = ['auto', 'cpu', 'wasm', 'webgpu', 'cuda'];

const HELP = `Usage: medimg classify <image> --model <X.onnx|X.card.json> [options]

Runs an image classifier (ONNX + model card with output_kind 'classification') and prints the
top classes with their probabilities. With a regression model (output_kind 'regression') it
prints the model's values with their units instead (predictValues). A single-frame DICOM file (CR, DX, MG, US, ...) is
classified as displayed (readRadiograph: MONOCHROME1, window/VOI LUT); NIfTI/NRRD/MGH files and
DICOM folders as read.

Options:
  --model <file>        the ONNX file (its card X.card.json or card.json beside it) or the card
  --card <file>         the card, when it is not beside the ONNX file
  --top <k>             classes to print (default 5)
  --explain <out.png>   also run integrated occlusion and write the map over the image
  --backend <name>      auto, cpu, wasm, webgpu, cuda (default cpu)
  --json                print the whole result as JSON (without the map's voxels)
  -h, --help            this text

Exit codes: 0 ok, 1 internal error, 2 bad input (missing file, bad card, image the model cannot take).`;

async function loadInput(path: string): Promise<ClassifyInput> {
  if (extname(path).toLowerCase() === '.dcm') {
    try {
      return await readRadiograph(path);
    } catch (e) {
      if (!isMedImgError(e, 'NOT_2D_IMAGE')) throw e;
    }
  }
  return (await loadStudy(path)).image;
}

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'top-k classes of an image with an ONNX classifier and its card (optionally an occlusion map)',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        model: { type: 'string', short: 'm' },
        card: { type: 'string' },
        top: { type: 'string', short: 'k' },
        explain: { type: 'string' },
        backend: { type: 'string' },
      },
      true,
    );
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    const imagePath = positionals[0];
    if (!imagePath || !values.model) throw new UsageError("'medimg classify' needs an image and --model. Try --help.");
    const backend = values.backend ?? 'cpu';
    if (!BACKENDS.includes(backend))
      throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${backend}'.`);
    const topK = parsePositiveInt(values.top, '--top', 5);
    const files = values.card
      ? { onnx: values.model, card: values.card }
      : await requireModelFiles(values.model, '--model');
    const input = await loadInput(imagePath);
    const card = parseModelCard(await readFile(files.card));
    if (outputKind(card) === 'regression') {
      if (values.explain) throw new UsageError('--explain needs a classifier; this is a regression model.');
      const r = await predictValues(input, { model: files, backend: backend as 'cpu' });
      if (values.json) {
        printJson(r);
        return EXIT.ok;
      }
      const w = Math.max(...r.values.map((v) => v.label.length));
      const lines = r.values.map(
        (v) =>
          `${v.label.padEnd(w)}  ${Number(v.value.toPrecision(6))}${v.unit ? ` ${v.unit}` : ''}${v.outsideTrainingRange ? '  outside the training range' : ''}`,
      );
      lines.push(`regression; model ${r.provenance.model.id} ${r.provenance.model.version}`);
      for (const l of r.limitations) lines.push(`limitation ${l.code}: ${l.message}`);
      printLines(lines);
      return EXIT.ok;
    }
    const result = await classifyImage(input, {
      model: files,
      backend: backend as 'cpu',
      topK,
      ...(values.explain ? { explain: true } : {}),
    });
    if (values.explain && result.explanation) {
      const image: Volume = 'display' in input && 'header' in input ? input.display : (input as Volume);
      const window = 'display' in input ? { center: 0.5, width: 1 } : 'auto';
      await writeFile(values.explain, renderSensitivityPng(image, result.explanation.map, { window }));
    }
    if (values.json) {
      const { explanation, ...rest } = result;
      printJson({
        ...rest,
        ...(explanation
          ? { explanation: { ...explanation, map: { dims: explanation.map.dims, file: values.explain } } }
          : {}),
      });
      return EXIT.ok;
    }
    const width = Math.max(...result.top.map((c) => c.label.length));
    const lines = result.top.map(
      (c, i) =>
        `${String(i + 1).padStart(2)}. ${c.label.padEnd(width)}  ${(100 * c.probability).toFixed(1).padStart(5)} %${c.positive ? '  positive' : ''}`,
    );
    lines.push(
      `${result.multiLabel ? 'multi-label (sigmoid)' : 'one label (softmax)'}, ${result.calibrated ? 'calibrated (card temperature)' : 'not calibrated'}; model ${result.provenance.model.id} ${result.provenance.model.version}`,
    );
    for (const l of result.limitations) lines.push(`limitation ${l.code}: ${l.message}`);
    if (result.explanation) lines.push(`explanation: ${result.explanation.regions.summary} -> ${values.explain}`);
    printLines(lines);
    return EXIT.ok;
  },
};
