import { MedImgError } from '../core/errors.js';
import { worldToIndex } from '../core/geometry.js';
import { type LongRunOptions, throwIfAborted } from '../core/progress.js';
import type { Mask, Vec3, Volume } from '../core/volume.js';
import { getFileSystem } from '../io/fs.js';
import { renderSlicePng, type SliceMarker, type SliceOverlay } from '../io/png/index.js';
import type { TaskResult } from '../tasks/contract.js';
import type { TaskInputs } from '../tasks/definition.js';
import { findTask } from '../tasks/registry.js';
import { VERSION } from '../version.js';
import { type LoadedCase, loadCase, promptsFor } from './cases.js';
import { validationHtml } from './html.js';
import {
  type ManifestBox,
  type ManifestCase,
  type ManifestTask,
  parseValidationManifest,
  type ValidationManifest,
} from './manifest.js';
import { frocScanOf, hitsLesion, maskMetrics, scoreDetection, scoreExpectedValues, sliceBoxIoUs } from './metrics.js';
import {
  summarise,
  VALIDATION_REPORT_VERSION,
  type ValidationCaseReport,
  type ValidationReport,
  type ValidationRun,
} from './report.js';

/** Options of {@link validate}. */
export interface ValidateOptions extends LongRunOptions {
  /** Folder that relative manifest paths start from. Default '.' (the working directory). */
  manifestDir?: string;
  /** Folder that `root: 'data'` paths start from. Default `manifestDir`. */
  dataRoot?: string;
  /**
   * Output folder (Node): validation.json, validation.html and per case/run caches with the overlay
   * pictures. Without it nothing is written and nothing is resumed.
   */
  outDir?: string;
  /** Reuse the cached result of a run whose case, task and medimg version are unchanged. Default true. */
  resume?: boolean;
  /** Only these case ids. Default all. */
  cases?: string[];
  /** Bootstrap of the summary intervals. Default 2000 resamples, seed 1, level 0.95. */
  bootstrap?: { resamples?: number; seed?: number; level?: number };
  /** Draw an overlay picture per run (truth vs result). Default true when `outDir` is set. */
  overlays?: boolean;
  /** Called after each run (cached or computed). */
  onRun?: (run: ValidationRun, cached: boolean) => void;
}

/** Result of {@link validate}: the report (as written to validation.json) and where files went. */
export interface ValidateResult {
  report: ValidationReport;
  /** Runs taken from the cache rather than computed. */
  cachedRuns: number;
  files: string[];
}

interface PlannedRun {
  runId: string;
  group: string;
  entry: ManifestTask;
  prompt?: { seed?: Vec3; box?: ManifestBox; lesion?: string; boxIndex?: number };
}

/** FNV-1a of a string, hex: the cache key of a run (no crypto needed for change detection). */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function plainError(e: unknown): { code: string; message: string } {
  if (e instanceof MedImgError) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message.slice(0, 300) : 'unknown error' };
}

/** Summary group of a task entry: task, prompt kind, and real scans apart from phantoms (never pooled). */
function groupOf(t: ManifestTask, c: ManifestCase): string {
  const kind = t.prompt ? ` (${t.prompt.kind === 'centre' ? 'click' : t.prompt.kind})` : '';
  return `${t.task}${kind}, ${'phantom' in c.image ? 'phantoms' : 'real scans'}`;
}

function limitationsOf(result: unknown): { code: string; message: string }[] {
  const l = (result as { limitations?: unknown }).limitations;
  if (!Array.isArray(l)) return [];
  return l
    .filter((x): x is { code: string; message: string } => typeof x?.code === 'string')
    .map((x) => ({ code: x.code, message: String(x.message ?? '') }));
}

function planRuns(c: ManifestCase, loaded: LoadedCase | null): PlannedRun[] {
  const out: PlannedRun[] = [];
  for (const t of c.tasks) {
    const base = t.id ?? t.task;
    if (!t.prompt) {
      out.push({ runId: base, group: groupOf(t, c), entry: t });
      continue;
    }
    if (!loaded) {
      // ids only (the cache is keyed by them); prompts need the truth
      out.push({ runId: base, group: groupOf(t, c), entry: t });
      continue;
    }
    const lesion = loaded.lesions.find((l) => l.id === t.prompt!.lesion);
    if (!lesion)
      throw new MedImgError('INVALID_ARGUMENT', `Case '${c.id}': no lesion '${t.prompt.lesion}' in its truth.`);
    const ps = promptsFor(lesion, t.prompt.kind, t.prompt.slice);
    ps.forEach((p, i) =>
      out.push({
        runId: t.prompt!.slice === 'all' ? `${base}#${i}` : base,
        group: groupOf(t, c),
        entry: t,
        prompt: { ...p, lesion: lesion.id },
      }),
    );
  }
  return out;
}

function sliceThrough(vol: Volume, p: Vec3): number {
  return Math.max(0, Math.min(vol.dims[2] - 1, Math.round(worldToIndex(vol, p)[2])));
}

function boxOutline(image: Volume, boxes: ManifestBox[]): Mask {
  const [nx, ny, nz] = image.dims;
  const data = new Uint8Array(nx * ny * nz);
  for (const b of boxes) {
    const p = worldToIndex(image, b.min);
    const q = worldToIndex(image, b.max);
    const k = Math.round((p[2] + q[2]) / 2);
    if (k < 0 || k >= nz) continue;
    const x0 = Math.max(0, Math.round(Math.min(p[0], q[0])));
    const x1 = Math.min(nx - 1, Math.round(Math.max(p[0], q[0])));
    const y0 = Math.max(0, Math.round(Math.min(p[1], q[1])));
    const y1 = Math.min(ny - 1, Math.round(Math.max(p[1], q[1])));
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) data[x + nx * (y + ny * k)] = 1;
  }
  return {
    data,
    dims: [...image.dims],
    spacing: [...image.spacing],
    origin: [...image.origin],
    direction: [...image.direction],
  };
}

const GREEN: [number, number, number] = [40, 220, 60];
const RED: [number, number, number] = [255, 60, 40];

async function runOne(
  loaded: LoadedCase,
  plan: PlannedRun,
  caseId: string,
  opts: ValidateOptions,
  draw: boolean,
): Promise<{ run: ValidationRun; png?: Uint8Array }> {
  const { image, lesions } = loaded;
  const t = plan.entry;
  const run: ValidationRun = {
    caseId,
    task: t.task,
    runId: plan.runId,
    group: plan.group,
    status: 'ok',
    metrics: {},
    limitations: [],
    notes: {},
    seconds: 0,
    ...(plan.prompt ? { prompt: plan.prompt } : {}),
  };
  const common = { ...(opts.signal ? { signal: opts.signal } : {}) };
  const t0 = performance.now();
  let png: Uint8Array | undefined;
  try {
    // the task runs through its registry definition, as in `medimg analyze`; how its result is
    // scored comes from the definition's `validation` (findings, a mask or values)
    const def = findTask(t.task);
    const v = def?.validation;
    if (!def || !v) throw new MedImgError('INVALID_ARGUMENT', `Task '${t.task}' cannot be validated.`);
    const prompt = plan.prompt ?? {};
    const given = t.options ?? {};
    const inputs: TaskInputs = {};
    const seed = prompt.seed ?? (given.seed as Vec3 | undefined);
    const box = prompt.box ?? (given.box as TaskInputs['box']);
    if (seed) inputs.seed = seed;
    if (box) inputs.box = box;
    const threshold =
      t.threshold ?? (v.thresholdOption ? (given[v.thresholdOption] as number | undefined) : undefined) ?? 0.5;
    const options = {
      ...given,
      ...(t.sweep && v.thresholdOption ? { [v.thresholdOption]: 0 } : {}),
      ...common,
    } as LongRunOptions;
    const problem = def.check?.(inputs, [def.cliName]);
    if (problem) throw new MedImgError('INVALID_ARGUMENT', problem);
    const outcome = await def.run({ image, inputs, results: {}, requested: [def.cliName], skipped: [], options });
    if ('skipped' in outcome) throw new MedImgError('INVALID_ARGUMENT', `Skipped: ${outcome.skipped}`);
    const r: TaskResult = outcome.result;
    run.seconds = (performance.now() - t0) / 1000;
    run.limitations = limitationsOf(t.sweep && v.limitationsAt ? { limitations: v.limitationsAt(r, threshold) } : r);
    if (v.findings) {
      const all = v.findings(r);
      const findings = all.map((n) => ({ centerMm: n.centerMm, probability: n.probability }));
      const sp = image.spacing[2];
      run.detection = scoreDetection(findings, lesions, threshold, sp);
      run.frocScan = frocScanOf(findings, lesions, sp);
      run.metrics.sensitivity = lesions.length ? run.detection.sensitivity : null;
      run.metrics.falseFindings = run.detection.falseFindings;
      run.metrics.findings = all.filter((n) => n.probability >= threshold).length;
      run.notes.sweep = t.sweep === true;
      // swept runs keep every candidate, so their exam-level notes are not the default-options ones
      if (!t.sweep && v.notes) Object.assign(run.notes, v.notes(r));
      // what hit each lesion (masses must be typed as such)
      lesions.forEach((l, i) => {
        const hit = all.find((n) => n.probability >= threshold && hitsLesion(n.centerMm, l, sp));
        if (hit) run.notes[`lesion:${l.id}`] = `${hit.label}, p ${hit.probability}`;
        else {
          const best = run.detection!.lesions[i]!.bestProbability;
          run.notes[`lesion:${l.id}`] = best === null ? 'missed (no candidate)' : `missed (best p ${best})`;
        }
      });
      if (draw) {
        const markers: SliceMarker[] = [
          ...lesions.map((l) => ({
            centerMm: l.centerMm,
            radiusMm: Math.max(3, l.radiusMm),
            color: GREEN,
            label: l.id,
          })),
          ...all
            .filter((n) => n.probability >= threshold)
            .map((n) => ({ centerMm: n.centerMm, radiusMm: Math.max(3, n.diameterMm / 2), color: RED })),
        ];
        const focus = lesions[0]?.centerMm ?? all[0]?.centerMm;
        png = renderSlicePng(image, {
          ...(focus ? { index: sliceThrough(image, focus) } : {}),
          window: v.window ?? 'auto',
          markers,
          maxSize: 320,
          legend: [
            { label: 'truth', color: GREEN, shape: 'circle' },
            { label: 'detected', color: RED, shape: 'circle' },
          ],
        });
      }
    } else if (v.mask) {
      const lesion = lesions.find((l) => l.id === prompt.lesion);
      const out = v.mask(r);
      run.metrics.volumeMl = out.volumeMl;
      run.metrics.longAxisMm = out.longAxisMm;
      if (lesion?.mask) {
        const m = maskMetrics(image, out.mask, lesion.mask);
        run.metrics.dice = m.dice;
        run.metrics.hd95Mm = m.hd95Mm;
        run.metrics.assdMm = m.assdMm;
        run.metrics.truthVolumeMl = m.truthVolumeMl;
        run.metrics.volumeErrorPct = m.volumeErrorPct;
        run.metrics.truthLongAxisMm = m.truthLongAxisMm;
        run.metrics.longAxisErrorMm = m.longAxisErrorMm;
      }
      if (lesion?.boxes) {
        run.sliceBoxIoU = sliceBoxIoUs(out.mask, lesion.boxes);
        const ious = run.sliceBoxIoU.map((b) => b.iou);
        run.metrics.meanBoxIoU = ious.reduce((a, b) => a + b, 0) / ious.length;
        run.metrics.minBoxIoU = Math.min(...ious);
      }
      if (draw) {
        const focus = prompt.box
          ? ([0, 1, 2].map((a) => (prompt.box!.min[a]! + prompt.box!.max[a]!) / 2) as Vec3)
          : (prompt.seed ?? lesion?.centerMm);
        const overlay: SliceOverlay[] = [];
        if (lesion?.mask) overlay.push({ mask: lesion.mask, mode: 'contour', colors: [GREEN, GREEN], lineWidth: 2 });
        else if (lesion?.boxes)
          overlay.push({
            mask: boxOutline(image, lesion.boxes),
            mode: 'contour',
            colors: [GREEN, GREEN],
            lineWidth: 2,
          });
        overlay.push({ mask: out.mask, mode: 'contour', colors: [RED, RED], lineWidth: 1 });
        png = renderSlicePng(image, {
          ...(focus ? { index: sliceThrough(image, focus) } : {}),
          window: image.meta?.modality === 'MR' ? 'auto' : { center: 40, width: 500 },
          overlay,
          maxSize: 320,
          legend: [
            { label: 'truth', color: GREEN, shape: 'outline' },
            { label: 'result', color: RED, shape: 'outline' },
          ],
        });
      }
    } else if (v.values) {
      const points = v.values(r);
      const unit = v.valueUnit ?? '';
      run.metrics[v.valueCount ?? 'values'] = points.length;
      if (loaded.expected.length) {
        run.expected = scoreExpectedValues(points, loaded.expected);
        const errs = run.expected.map((e) => e.error).filter((e): e is number => e !== null);
        run.metrics.matched = errs.length;
        run.metrics[`meanAbsError${unit}`] = errs.length
          ? errs.reduce((a, b) => a + Math.abs(b), 0) / errs.length
          : null;
        run.metrics[`maxAbsError${unit}`] = errs.length ? Math.max(...errs.map(Math.abs)) : null;
      }
    }
  } catch (e) {
    if (e instanceof MedImgError && e.code === 'ABORTED') throw e;
    run.status = 'error';
    run.error = plainError(e);
    run.seconds = (performance.now() - t0) / 1000;
  }
  return png ? { run, png } : { run };
}

const join = (...p: string[]): string => p.join('/').replace(/\/+/g, '/');

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await getFileSystem().readFile(path)));
  } catch {
    return undefined;
  }
}

/**
 * Runs a validation manifest: every task of every case against its truth, with the field's metrics
 * (detection hit/miss and false findings, FROC on swept runs, Dice/HD95/ASSD, per-slice box IoU,
 * volume and RECIST error, HU error), per-task summaries with seeded bootstrap intervals over cases,
 * and the same per subgroup (the bias audit). With `outDir` (Node) it writes validation.json, a
 * self-contained validation.html and one cached result per run, so that a stopped run resumes.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { validate } from 'medimg';
 * const { report } = await validate(readFileSync('dev.manifest.json', 'utf8'), {
 *   manifestDir: 'validation', dataRoot: '../shared/data', outDir: 'out/validation',
 *   onProgress: (e) => console.log(e.stage, e.fraction),
 * });
 * report.summary.map((s) => [s.group, s.metrics.dice?.estimate]);
 * ```
 * @throws MedImgError `INVALID_ARGUMENT` for a bad manifest, `ABORTED` when the signal fires (finished runs stay cached).
 */
export async function validate(
  manifest: ValidationManifest | string,
  options: ValidateOptions = {},
): Promise<ValidateResult> {
  const m = parseValidationManifest(manifest);
  const roots = {
    manifestDir: options.manifestDir ?? '.',
    ...(options.dataRoot ? { dataRoot: options.dataRoot } : {}),
  };
  const out = options.outDir;
  const resume = options.resume ?? true;
  const draw = options.overlays ?? out !== undefined;
  const bootstrap = {
    resamples: options.bootstrap?.resamples ?? 2000,
    seed: options.bootstrap?.seed ?? 1,
    level: options.bootstrap?.level ?? 0.95,
  };
  const cases = options.cases ? m.cases.filter((c) => options.cases!.includes(c.id)) : m.cases;
  if (options.cases && cases.length === 0)
    throw new MedImgError('INVALID_ARGUMENT', 'None of the requested case ids is in the manifest.');
  const fs = out ? getFileSystem() : undefined;
  const total = cases.reduce((n, c) => n + c.tasks.length, 0);
  let done = 0;
  let cachedRuns = 0;
  const files: string[] = [];
  const reports: ValidationCaseReport[] = [];
  for (const c of cases) {
    throwIfAborted(options.signal);
    const { tasks: _t, ...caseSpec } = c;
    const caseReport: ValidationCaseReport = {
      id: c.id,
      ...(c.source ? { source: c.source } : {}),
      attributes: {},
      runs: [],
    };
    // cached case: the attribute file and every run of every task present with matching keys
    const caseDir = out ? join(out, 'cases', c.id) : '';
    const cachedCase =
      out && resume
        ? ((await readJson(join(caseDir, 'case.json'))) as
            | { key?: string; attributes?: Record<string, string | number>; runIds?: Record<string, string[]> }
            | undefined)
        : undefined;
    const caseKey = hash(JSON.stringify({ caseSpec, VERSION }));
    const taskKey = (t: ManifestTask): string => hash(JSON.stringify({ caseSpec, t, VERSION }));
    let loaded: LoadedCase | null = null;
    const cachedRunsOf = async (t: ManifestTask): Promise<ValidationRun[] | null> => {
      if (!cachedCase || cachedCase.key !== caseKey) return null;
      const ids = cachedCase.runIds?.[t.id ?? t.task];
      if (!ids) return null;
      const runs: ValidationRun[] = [];
      for (const id of ids) {
        const j = (await readJson(join(caseDir, `${id.replace('#', '_')}.json`))) as
          | { key?: string; run?: ValidationRun }
          | undefined;
        if (!j || j.key !== taskKey(t) || !j.run || j.run.status !== 'ok') return null;
        runs.push(j.run);
      }
      return runs;
    };
    const runIds: Record<string, string[]> = { ...(cachedCase?.key === caseKey ? (cachedCase.runIds ?? {}) : {}) };
    caseReport.attributes = cachedCase?.key === caseKey ? (cachedCase.attributes ?? {}) : {};
    try {
      for (const t of c.tasks) {
        throwIfAborted(options.signal);
        const stage = `${c.id}/${t.id ?? t.task}`;
        options.onProgress?.({ stage, fraction: done / total, done, total });
        const cached = resume ? await cachedRunsOf(t) : null;
        if (cached) {
          for (const r of cached) r.group = groupOf(t, c);
          caseReport.runs.push(...cached);
          cachedRuns += cached.length;
          for (const r of cached) options.onRun?.(r, true);
        } else {
          loaded ??= await loadCase(c, roots, options);
          caseReport.attributes = loaded.attributes;
          const plans = planRuns({ ...c, tasks: [t] }, loaded);
          runIds[t.id ?? t.task] = plans.map((p) => p.runId);
          for (const p of plans) {
            const { run, png } = await runOne(loaded, p, c.id, options, draw);
            if (png && fs) {
              const rel = join('cases', c.id, `${p.runId.replace('#', '_')}.png`);
              await fs.writeFile(join(out!, rel), png);
              run.overlay = rel;
            }
            if (fs)
              await fs.writeFile(
                join(caseDir, `${p.runId.replace('#', '_')}.json`),
                new TextEncoder().encode(JSON.stringify({ key: taskKey(t), run })),
              );
            caseReport.runs.push(run);
            options.onRun?.(run, false);
          }
          if (fs)
            await fs.writeFile(
              join(caseDir, 'case.json'),
              new TextEncoder().encode(JSON.stringify({ key: caseKey, attributes: caseReport.attributes, runIds })),
            );
        }
        done++;
      }
    } catch (e) {
      if (e instanceof MedImgError && e.code === 'ABORTED') throw e;
      caseReport.error = plainError(e);
    }
    loaded = null;
    reports.push(caseReport);
  }
  options.onProgress?.({ stage: 'summary', fraction: 1, done: total, total });
  const report: ValidationReport = {
    schemaVersion: VALIDATION_REPORT_VERSION,
    medimgVersion: VERSION,
    createdAt: new Date().toISOString(),
    manifest: { ...(m.name ? { name: m.name } : {}), version: m.version, cases: m.cases.length },
    bootstrap,
    cases: reports,
    summary: summarise(reports, bootstrap),
  };
  if (fs && out) {
    const jsonPath = join(out, 'validation.json');
    await fs.writeFile(jsonPath, new TextEncoder().encode(`${JSON.stringify(report, jsonNumbers, 1)}\n`));
    const pictures = new Map<string, Uint8Array>();
    for (const c of reports)
      for (const r of c.runs)
        if (r.overlay) {
          try {
            pictures.set(r.overlay, await fs.readFile(join(out, r.overlay)));
          } catch {
            // a cached run whose picture was deleted: the report shows no picture
          }
        }
    const htmlPath = join(out, 'validation.html');
    await fs.writeFile(htmlPath, new TextEncoder().encode(validationHtml(report, pictures)));
    files.push(jsonPath, htmlPath);
  }
  return { report, cachedRuns, files };
}

/** JSON has no NaN/Infinity: write them as null. */
function jsonNumbers(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}
