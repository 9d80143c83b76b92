import type { LongRunOptions } from '../../core/progress.js';
import { ensureDir, guardOutput } from '../safe-write.js';
import { type LoadedStudy, loadStudy } from './input.js';
import { writeStudyOutputs } from './outputs.js';
import { type AnalysisSettings, runTasks, type TaskOutputs } from './tasks.js';

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
  /** One line per rule-based caveat ('CODE (tasks): message'). */
  caveats?: string[];
  /** The input series had unreadable files or missing slices (read with --allow-gaps): exit code 3. */
  incomplete?: boolean;
  files: string[];
  error?: { code: string; message: string };
}

/** Headline figures of an analysis, one line per task that produced a result. */
export function headlines(res: TaskOutputs): string[] {
  const out: string[] = [];
  for (const def of res.ran) {
    const result = res.results[def.id];
    if (result && def.headline) out.push(def.headline(result, res.reportExtra[def.id]));
  }
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
    headlines: headlines(res),
    ...(notes.length ? { notes } : {}),
    ...(written.report.caveats.length
      ? { caveats: written.report.caveats.map((c) => `${c.code} (${c.tasks.join(', ')}): ${c.message}`) }
      : {}),
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
