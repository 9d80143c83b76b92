// The API reference's examples cannot rot: every task and IO function exported by a public entry
// has an @example, each task function links its guide page in docs/tasks/, and every example's
// code block type-checks against src (imports of 'medimg', 'medimg/ops', ... mapped to the
// entries; free variables such as `ct` or `mask` declared in a prelude).
import { existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Entry file → package specifier an example imports it by. */
const ENTRIES: [string, string][] = [
  ['src/public.ts', 'medimg'],
  ['src/ops.ts', 'medimg/ops'],
  ['src/dicom.ts', 'medimg/dicom'],
  ['src/radiomics.ts', 'medimg/radiomics'],
  ['src/metrics.ts', 'medimg/metrics'],
  ['src/testing.ts', 'medimg/testing'],
];
/** Functions declared here need an example: the typedoc areas Tasks, IO and Outputs. */
const NEEDS_EXAMPLE = /\/src\/(tasks|io)\//;
/** Task functions (declared in a task folder's index, and the radiomics extractor): each links its guide page. */
const TASK_FUNCTION = /\/src\/tasks\/([^/]+\/index|radiomics\/extract)\.ts$/;

const EX_DIR = path.join(ROOT, 'test/docs/.examples');
/** Free variables the examples use, typed as a caller would hold them. */
const PRELUDE = `import type * as M from 'medimg';
declare global {
  /** a CT volume (HU) */
  const ct: M.Volume;
  /** an MR volume */
  const t1: M.Volume;
  /** any image volume */
  const volume: M.Volume;
  /** a binary mask on the grid of \`ct\` */
  const mask: M.Volume<Uint8Array>;
  /** the CT values inside \`mask\` */
  const roiValues: Float64Array;
  /** a label map on the grid of \`ct\` */
  const labels: M.Volume<Uint8Array>;
  /** a 2D image as displayed (CR/DX: \`(await readRadiograph(file)).display\`) */
  const radiograph: M.Volume<Float32Array>;
  /** bytes of a file the caller already holds (fetch, drag and drop, upload) */
  const bytes: Uint8Array;
  /** the files of a DICOM series as bytes, or \`File\` objects in a browser */
  const files: Uint8Array[];
  /** an abort signal from the caller's UI */
  const signal: AbortSignal;
  /** a DICOMweb server and the UIDs of a study and series on it */
  const server: M.DicomWebServer;
  const studyInstanceUid: string;
  const seriesInstanceUid: string;
  /** an access token */
  const token: string;
}
export {};
`;

const tsconfig = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
const base = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, ROOT).options;
const options: ts.CompilerOptions = {
  ...base,
  noEmit: true,
  declaration: false,
  sourceMap: false,
  baseUrl: ROOT,
  paths: {
    medimg: ['src/index.ts'],
    'medimg/browser': ['src/browser.ts'],
    ...Object.fromEntries(ENTRIES.slice(1).map(([file, spec]) => [spec, [file]])),
  },
};

interface ExportedFunction {
  name: string;
  entry: string;
  file: string;
  tags: readonly ts.JSDocTag[];
  /** the raw text of its doc comments (links included) */
  doc: string;
}

const commentText = (c: ts.JSDocTag['comment']): string =>
  typeof c === 'string' ? c : (c ?? []).map((p) => ('text' in p ? p.text : '')).join('');

/** Value exports of each entry that are functions at run time, with their declaration's tags. */
async function exportedFunctions(program: ts.Program): Promise<ExportedFunction[]> {
  const checker = program.getTypeChecker();
  const out: ExportedFunction[] = [];
  const seen = new Set<string>();
  for (const [file, spec] of ENTRIES) {
    const runtime = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    const sf = program.getSourceFile(path.join(ROOT, file));
    const mod = sf && checker.getSymbolAtLocation(sf);
    if (!mod) throw new Error(`no module symbol for ${file}`);
    for (const exp of checker.getExportsOfModule(mod)) {
      if (typeof runtime[exp.name] !== 'function') continue;
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const decl = sym.declarations?.find((d) => ts.isFunctionDeclaration(d));
      if (!decl) continue; // classes (MedImgError) and re-exported constants
      const declFile = decl.getSourceFile().fileName.replace(/\\/g, '/');
      if (seen.has(`${exp.name}@${declFile}`)) continue;
      seen.add(`${exp.name}@${declFile}`);
      // overloads: the tags live on the first declaration that has a comment
      const decls = sym.declarations ?? [];
      const tags = decls.flatMap((d) => [...ts.getJSDocTags(d)]);
      const doc = decls.flatMap((d) => ts.getJSDocCommentsAndTags(d).map((j) => j.getText())).join('\n');
      out.push({ name: exp.name, entry: spec, file: declFile, tags, doc });
    }
  }
  return out;
}

/** The ```ts blocks of a function's @example tags. */
function exampleBlocks(fn: ExportedFunction): string[] {
  return fn.tags
    .filter((t) => t.tagName.text === 'example')
    .flatMap((t) => [...commentText(t.comment).matchAll(/```(?:ts|typescript|js)?\n([\s\S]*?)```/g)].map((m) => m[1]!));
}

describe('TSDoc examples of the public API', async () => {
  const entryProgram = ts.createProgram(
    ENTRIES.map(([f]) => path.join(ROOT, f)),
    options,
  );
  const fns = await exportedFunctions(entryProgram);
  const required = fns.filter((f) => NEEDS_EXAMPLE.test(f.file));

  it('lists the task and IO functions of the entries', () => {
    // the listing itself must work: the root entry alone exports dozens of task and IO functions
    expect(required.length).toBeGreaterThan(60);
    expect(required.map((f) => f.name)).toEqual(expect.arrayContaining(['readDicomSeries', 'segmentLungs']));
  });

  it('every task and IO function has an @example with a code block', () => {
    const missing = required.filter((f) => exampleBlocks(f).length === 0).map((f) => `${f.name} (${f.file})`);
    expect(missing).toEqual([]);
  });

  it('every task function links its guide page in docs/tasks/ and the page exists', () => {
    const bad: string[] = [];
    for (const f of required.filter((f) => TASK_FUNCTION.test(f.file))) {
      const link = /docs\/tasks\/([\w-]+)\.md/.exec(f.doc);
      if (!link) bad.push(`${f.name}: no docs/tasks link`);
      else if (!existsSync(path.join(ROOT, 'docs/tasks', `${link[1]}.md`))) bad.push(`${f.name}: ${link[0]} missing`);
    }
    expect(bad).toEqual([]);
  });

  it('every example type-checks against src', () => {
    const virtual = new Map<string, string>([[path.join(EX_DIR, 'prelude.ts'), PRELUDE]]);
    const origin = new Map<string, string>();
    for (const f of fns) {
      exampleBlocks(f).forEach((code, i) => {
        const file = path.join(EX_DIR, `${f.name}-${i}.ts`);
        // a module, so that top-level await is allowed and names do not clash across examples
        virtual.set(file, `${code}\nexport {};\n`);
        origin.set(file, `${f.name} (${path.relative(ROOT, f.file)})`);
      });
    }
    expect(origin.size).toBeGreaterThan(60);
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, onError, create) => {
      const text = virtual.get(path.resolve(name));
      return text !== undefined ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, onError, create);
    };
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => virtual.has(path.resolve(name)) || fileExists(name);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => virtual.get(path.resolve(name)) ?? readFile(name);
    const program = ts.createProgram([...virtual.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && virtual.has(path.resolve(d.file.fileName)))
      .map((d) => {
        const pos = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const where = origin.get(path.resolve(d.file!.fileName)) ?? 'prelude';
        return `${where} example line ${pos.line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);
});
