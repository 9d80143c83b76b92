import type { LongRunOptions } from '../../core/progress.js';
import { ensureDir, guardOutput } from '../safe-write.js';
import { type LoadedStudy, loadStudy } from './input.js';
import { type WrittenOutputs, writeStudyOutputs } from './outputs.js';
import { type AnalysisSettings, runTasks } from './tasks.js';

/** Summary of one analysed study, as printed and as returned by batch workers. */
export interface StudySummary {
  name: string;
  outDir: string;
  ok: boolean;
  skipped?: boolean;
  ms: number;
  /** Tasks that failed, with their error line. */
  failedTasks: Record<string, string>;
  /** Short per-task headline figures. */
  headlines: string[];
  /** One line per task that was skipped (with why) or set up on the user's behalf (with how). */
  notes?: string[];
  /** The input series had unreadable files or missing slices (read with --allow-gaps): exit code 3. */
  incomplete?: boolean;
  files: string[];
  error?: { code: string; message: string };
}

/** Headline figures of a report, one line per task. */
export function headlines(w: WrittenOutputs): string[] {
  const r = w.report.results as Record<string, Record<string, unknown>>;
  const out: string[] = [];
  const nod = r.nodules as
    | {
        nodules?: { diameterMm: number; type: string; lungRads: string | null }[];
        lungRads?: string | null;
        limitations?: { code: string }[];
      }
    | undefined;
  if (nod?.nodules)
    out.push(
      `nodules: ${nod.nodules.length} found, ${
        nod.lungRads
          ? `exam Lung-RADS ${nod.lungRads}${nod.lungRads === '0' ? ' (incomplete: lungs cut off by the scan)' : ''}`
          : `no Lung-RADS category (not a screening CT: ${(nod.limitations ?? []).map((l) => l.code).join(', ')})`
      }${
        nod.nodules.length
          ? ` (${nod.nodules
              .slice(0, 5)
              .map((n) => `${n.diameterMm.toFixed(1)} mm ${n.type}`)
              .join(', ')}${nod.nodules.length > 5 ? ', ...' : ''})`
          : ''
      }`,
    );
  const tum = r.tumor as { lesions?: { volumeMl: number; longAxisMm: number; shortAxisMm: number }[] } | undefined;
  if (tum?.lesions?.[0])
    out.push(
      `tumour: ${tum.lesions[0].volumeMl.toFixed(2)} mL, ${tum.lesions[0].longAxisMm.toFixed(1)} x ${tum.lesions[0].shortAxisMm.toFixed(1)} mm`,
    );
  const bone = r.bone as { vertebrae?: { level?: string; meanHU: number }[] } | undefined;
  if (bone?.vertebrae)
    out.push(
      `bone: ${bone.vertebrae.length} vertebrae, ${bone.vertebrae
        .map((v, i) => `${v.level ?? `#${i + 1}`} ${Math.round(v.meanHU)} HU`)
        .join(', ')}`,
    );
  const op = r.opacity as
    | { lungs?: { total: { volumeMl: number; bands: Record<string, { percent: number }> } } }
    | undefined;
  if (op?.lungs)
    out.push(
      `opacity: lungs ${op.lungs.total.volumeMl.toFixed(0)} mL, ${Object.entries(op.lungs.total.bands)
        .map(([k, v]) => `${k} ${v.percent.toFixed(1)}%`)
        .join(', ')}`,
    );
  const rad = r.radiomics as { features?: Record<string, number>; maskSource?: string } | undefined;
  if (rad?.features) out.push(`radiomics: ${Object.keys(rad.features).length} features on the ${rad.maskSource} mask`);
  const brain = r.brain as { whiteMatterMl?: number; greyMatterMl?: number } | undefined;
  if (brain?.whiteMatterMl !== undefined)
    out.push(
      `brain: white matter ${brain.whiteMatterMl.toFixed(1)} mL, grey matter ${brain.greyMatterMl!.toFixed(1)} mL`,
    );
  return out;
}

/** Runs tasks on an already loaded study and writes its outputs. */
export async function analyzeLoaded(
  study: LoadedStudy,
  settings: AnalysisSettings,
  outDir: string,
  opts: LongRunOptions & { uidFor?: (role: string) => string } = {},
): Promise<StudySummary> {
  const t0 = performance.now();
  const res = await runTasks(study.image, settings, opts);
  const written = await writeStudyOutputs(outDir, study, settings, res, opts.uidFor);
  const failedTasks: Record<string, string> = {};
  const notes: string[] = [];
  for (const [k, s] of Object.entries(res.status)) {
    if (!s.ok) failedTasks[k] = `${s.error!.code}: ${s.error!.message}`;
    if (s.skipped) notes.push(`${k}: skipped, ${s.skipped}`);
    if (s.note) notes.push(`${k}: ${s.note}`);
  }
  const gaps = study.image.meta?.gaps;
  if (gaps) {
    notes.push(
      `input: series incomplete (${gaps.unreadableFiles} unreadable file(s), ${gaps.missingSlices} missing slice(s)), read because of --allow-gaps`,
    );
  }
  return {
    name: study.name,
    outDir,
    ok: Object.keys(failedTasks).length === 0,
    ...(gaps ? { incomplete: true } : {}),
    ms: Math.round(performance.now() - t0),
    failedTasks,
    headlines: headlines(written),
    ...(notes.length ? { notes } : {}),
    files: written.files,
  };
}

/** Loads, analyses and writes one study (a DICOM folder or a NIfTI/NRRD file). */
export async function analyzeStudy(
  input: string,
  settings: AnalysisSettings,
  outDir: string,
  opts: LongRunOptions & { series?: string } = {},
): Promise<StudySummary> {
  // outputs next to the input are fine (`--out .`), inside its folder or onto its files never
  await guardOutput([input], outDir, { allowInputInsideOutput: true });
  await ensureDir(outDir); // an unusable --out fails now, not after the tasks ran
  const study = await loadStudy(input, { ...opts, ...(settings.allowGaps ? { allowGaps: true } : {}) });
  return analyzeLoaded(study, settings, outDir, opts);
}
