// Finds a model's ONNX file and its card from either path (the CLI's convention: 'X.onnx' beside
// 'X.card.json' or 'card.json'; 'X.card.json' beside 'X.onnx' or 'model.onnx').
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UsageError } from '../args.js';

const isFile = (p: string): Promise<boolean> =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** The ONNX and card paths of a model given by either file (each undefined when not found). */
export async function findModelFiles(path: string, cardPath?: string): Promise<{ onnx?: string; card?: string }> {
  if (!(await isFile(path))) throw new UsageError(`Cannot read '${path}': no such file.`);
  const dir = dirname(path);
  if (path.toLowerCase().endsWith('.json')) {
    const stem = basename(path).replace(/(\.card)?\.json$/i, '');
    for (const c of [join(dir, `${stem}.onnx`), join(dir, 'model.onnx')])
      if (await isFile(c)) return { onnx: c, card: path };
    return { card: path };
  }
  if (cardPath) return { onnx: path, card: cardPath };
  const stem = basename(path, extname(path));
  for (const c of [join(dir, `${stem}.card.json`), join(dir, 'card.json')])
    if (await isFile(c)) return { onnx: path, card: c };
  return { onnx: path };
}

/** Both files of a model for a task option (absolute paths); a usage error names what is missing. */
export async function requireModelFiles(path: string, option: string): Promise<{ onnx: string; card: string }> {
  const f = await findModelFiles(path);
  if (!f.onnx || !f.card) {
    throw new UsageError(
      `${option} needs the ONNX file and its card: ${f.onnx ? 'no X.card.json or card.json beside it' : 'no X.onnx or model.onnx beside the card'} (see docs/models.md).`,
    );
  }
  return { onnx: resolve(f.onnx), card: resolve(f.card) };
}
