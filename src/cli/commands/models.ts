import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { type InspectModelResult, inspectModel } from '../../backends/model-inspect.js';
import { type ModelCard, outputKind, parseModelCard, validateModelCard } from '../../backends/model-card.js';
import { type ModelRunPlan, planModelRun } from '../../backends/model-plan.js';
import { isMedImgError, MedImgError } from '../../core/errors.js';
import { sha256Hex } from '../../core/typed.js';
import { loadStudy } from '../analysis/input.js';
import { findModelFiles } from '../analysis/model-files.js';
import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg models list <folder | card URL> [--json]
       medimg models inspect <model.onnx | card.json> [--card card.json] [--image <image>] [--json]
       medimg models verify <model.onnx | card.json> [--card card.json] [--json]

A model is an ONNX file and its card (JSON, see docs/models.md). The card of 'X.onnx' is found
beside it as 'X.card.json' or 'card.json'; the ONNX of 'X.card.json' as 'X.onnx' or 'model.onnx'.

  list     every model in a folder (and its sub-folders, one level): id, version, licence, what
           it outputs, and whether the file's SHA-256 matches its card. An http(s) URL lists the
           card(s) it serves (one card, or a JSON array of cards); nothing else is fetched.
  inspect  the graph's inputs and outputs, the card, every problem; with --image, what the card
           would do to that image (reorientation, resampling, normalisation, patches) before
           running anything.
  verify   SHA-256, the card's schema and the card against the graph (names, shapes, channel and
           label counts). Exit 0 when all agree, 2 with each problem's code otherwise.

Options:
  --card <file>   the card, when it is not beside the model
  --image <path>  (inspect) a NIfTI/NRRD/MGH file or DICOM folder to plan the run for
  --json          machine-readable output
  -h, --help      this text

Nothing is run on the model and nothing is downloaded but an explicit card URL.
Exit codes: 0 ok, 2 bad input or a problem found.`;

interface ListedModel {
  folder: string;
  onnx: string | null;
  card: string | null;
  id: string | null;
  version: string | null;
  license: string | null;
  outputKind: string | null;
  bytes: number | null;
  /** 'ok', 'mismatch', 'no sha256 in card', 'no card', 'no onnx', or the card's problem code. */
  sha256: string;
}

async function listFolder(root: string): Promise<ListedModel[]> {
  const dirs = [root];
  for (const e of await readdir(root, { withFileTypes: true })) if (e.isDirectory()) dirs.push(join(root, e.name));
  const out: ListedModel[] = [];
  for (const dir of dirs) {
    const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    const onnx = files.filter((f) => f.toLowerCase().endsWith('.onnx'));
    const cards = files.filter((f) => /(^|\.)card\.json$/i.test(f));
    const used = new Set<string>();
    for (const o of onnx) {
      const stem = basename(o, extname(o));
      const c = cards.find((x) => x === `${stem}.card.json`) ?? (cards.includes('card.json') ? 'card.json' : undefined);
      if (c) used.add(c);
      out.push(await describe(dir, o, c));
    }
    for (const c of cards) if (!used.has(c)) out.push(await describe(dir, undefined, c));
  }
  return out;
}

async function describe(dir: string, onnx: string | undefined, cardFile: string | undefined): Promise<ListedModel> {
  let card: ModelCard | undefined;
  let cardProblem: string | undefined;
  if (cardFile) {
    try {
      card = parseModelCard(await readFile(join(dir, cardFile)));
    } catch (e) {
      if (!isMedImgError(e)) throw e;
      cardProblem = e.code;
    }
  }
  let bytes: number | null = null;
  let sha = cardProblem ?? (cardFile ? 'no sha256 in card' : 'no card');
  if (onnx) {
    const data = await readFile(join(dir, onnx));
    bytes = data.byteLength;
    if (card?.sha256) sha = (await sha256Hex(data)) === card.sha256.toLowerCase() ? 'ok' : 'mismatch';
  } else if (card) sha = 'no onnx';
  return {
    folder: dir,
    onnx: onnx ?? null,
    card: cardFile ?? null,
    id: card?.id ?? null,
    version: card?.version ?? null,
    license: card?.license ?? null,
    outputKind: card ? outputKind(card) : null,
    bytes,
    sha256: sha,
  };
}

async function listUrl(url: string): Promise<ListedModel[]> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new MedImgError('IO_READ_FAILED', `Fetching the card list failed: ${(e as Error).message}`);
  }
  if (!res.ok) throw new MedImgError('IO_READ_FAILED', `Fetching the card list failed (HTTP ${res.status}).`);
  const json: unknown = await res.json().catch(() => {
    throw new MedImgError('MODEL_CARD_INVALID', 'The URL did not return JSON.');
  });
  const list = Array.isArray(json) ? json : [json];
  return list.map((c) => {
    const card = validateModelCard(c);
    return {
      folder: url,
      onnx: null,
      card: null,
      id: card.id,
      version: card.version,
      license: card.license,
      outputKind: outputKind(card),
      bytes: null,
      sha256: card.sha256 ? 'not checked (no onnx)' : 'no sha256 in card',
    };
  });
}

const shapeText = (s?: (number | string)[]): string => (s ? `[${s.join(', ')}]` : '[?]');

function inspectLines(r: InspectModelResult, plan?: ModelRunPlan): string[] {
  const lines: string[] = [];
  lines.push(`file: ${r.file.bytes} bytes, sha256 ${r.file.sha256}`);
  if (r.graph) {
    for (const t of r.graph.inputs) lines.push(`input  ${t.name} ${t.type ?? ''} ${shapeText(t.shape)}`);
    for (const t of r.graph.outputs) lines.push(`output ${t.name} ${t.type ?? ''} ${shapeText(t.shape)}`);
  }
  if (r.card) {
    lines.push(`card: ${r.card.id} ${r.card.version} (${r.card.license})${r.card.name ? `: ${r.card.name}` : ''}`);
    const labels = Object.entries(r.card.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    lines.push(`output kind: ${r.card.outputKind}${labels ? `; labels ${labels}` : ''}`);
  } else lines.push('card: none');
  if (plan) {
    lines.push(`plan for the image (${plan.image.dims.join('x')}, ${plan.image.orientation}):`);
    for (const s of plan.steps) lines.push(`  ${s}`);
    lines.push(`  about ${plan.memoryMB} MB of working memory`);
    for (const w of plan.warnings) lines.push(`  warning: ${w}`);
  }
  lines.push(r.ok ? 'ok: no problem found' : `${r.problems.length} problem(s):`);
  for (const p of r.problems) lines.push(`  ${p.code}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
  return lines;
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list, inspect and verify ONNX models and their cards',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      card: { type: 'string' },
      image: { type: 'string' },
    });
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    const [sub, target, ...rest] = positionals;
    if (!sub || !['list', 'inspect', 'verify'].includes(sub) || !target || rest.length > 0) {
      throw new UsageError("'medimg models' needs list, inspect or verify and one path. Try 'medimg models --help'.");
    }
    if (sub === 'list') {
      const list = /^https?:\/\//i.test(target)
        ? await listUrl(target)
        : await stat(target).then(
            (s) => {
              if (!s.isDirectory()) throw new UsageError(`'${target}' is not a folder.`);
              return listFolder(target);
            },
            () => {
              throw new UsageError(`Cannot read '${target}': no such folder.`);
            },
          );
      if (values.json) printJson(list);
      else
        printLines(
          list.length
            ? list.map(
                (m) =>
                  `${m.folder}: ${m.onnx ?? '(no onnx)'} ${m.bytes !== null ? `${m.bytes} B` : ''} | card ${m.card ?? 'none'}${m.id ? ` ${m.id} ${m.version} ${m.license} ${m.outputKind}` : ''} | sha256 ${m.sha256}`,
              )
            : [`No model or card found in '${target}'.`],
        );
      return list.some((m) => m.sha256 === 'mismatch' || m.sha256.startsWith('MODEL_')) ? EXIT.usage : EXIT.ok;
    }
    const pair = await findModelFiles(target, values.card);
    if (!pair.onnx)
      throw new UsageError(
        `No ONNX file found for '${target}' (looked for ${basename(target).replace(/(\.card)?\.json$/i, '')}.onnx and model.onnx beside it).`,
      );
    const r = await inspectModel(pair.onnx, pair.card ? { card: pair.card } : {});
    let plan: ModelRunPlan | undefined;
    if (sub === 'inspect' && values.image) {
      if (!pair.card || !r.card)
        throw new UsageError('--image needs a valid card: the card says how the image is prepared.');
      const { image } = await loadStudy(values.image);
      plan = planModelRun(image, parseModelCard(await readFile(pair.card)));
    }
    if (values.json) printJson({ ...r, onnx: pair.onnx, cardFile: pair.card ?? null, ...(plan ? { plan } : {}) });
    else printLines(inspectLines(r, plan));
    if (sub === 'verify' && !pair.card) {
      if (!values.json) printLines(['no card: only the graph was read (give --card to verify)']);
      return EXIT.usage;
    }
    return r.ok ? EXIT.ok : EXIT.usage;
  },
};
