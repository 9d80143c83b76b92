// The shape of validation.json (schemas/validation.v1.schema.json) and the per-task summaries.
import {
  type BootstrapCi,
  bootstrapCi,
  froc,
  type FrocScan,
  type SubgroupAudit,
  auditSubgroups,
} from '../core/metrics/index.js';
import type { Vec3 } from '../core/volume.js';
import { TASKS } from '../tasks/registry.js';
import type { ManifestBox, ValidationTaskName } from './manifest.js';
import type { DetectionScore, ExpectedValueScore, SliceBoxIoU } from './metrics.js';

/** Schema version of validation.json. */
export const VALIDATION_REPORT_VERSION = '1.0';

/** One run of one task on one case. */
export interface ValidationRun {
  caseId: string;
  task: ValidationTaskName;
  /** Unique within the case: the manifest task id, plus '#n' for the n-th box of a 'slice-box all' prompt. */
  runId: string;
  /** Summary group: task plus prompt kind, e.g. 'segmentTumor (slice-box)'. */
  group: string;
  status: 'ok' | 'error';
  error?: { code: string; message: string };
  /** The seed or box the task was given, LPS mm. */
  prompt?: { seed?: Vec3; box?: ManifestBox; lesion?: string; boxIndex?: number };
  /** Flat figures summarised over cases (null: not measurable here). */
  metrics: Record<string, number | null>;
  detection?: DetectionScore;
  /**
   * Detection only: every finding with its probability and the lesions, as {@link froc} takes them
   * (a finding that hits a lesion by the harness's rule sits on the lesion's centre).
   */
  frocScan?: FrocScan;
  sliceBoxIoU?: SliceBoxIoU[];
  expected?: ExpectedValueScore[];
  /** The task result's limitations (codes and text). */
  limitations: { code: string; message: string }[];
  /** Other facts of the result worth reading (exam Lung-RADS, lesion type...). */
  notes: Record<string, string | number | boolean | null>;
  seconds: number;
  /** Overlay picture, relative to the output folder. */
  overlay?: string;
}

/** One case of the report. */
export interface ValidationCaseReport {
  id: string;
  source?: string;
  attributes: Record<string, string | number>;
  runs: ValidationRun[];
  /** The case could not be loaded (image or truth). */
  error?: { code: string; message: string };
}

/** Summary of one task group over cases. */
export interface ValidationTaskSummary {
  group: string;
  task: ValidationTaskName;
  cases: number;
  runs: number;
  failedRuns: number;
  /**
   * Per metric: mean over cases (each case's runs averaged first) with a bootstrap interval over
   * cases (none below {@link MIN_CASES_FOR_INTERVAL} cases).
   */
  metrics: Record<string, BootstrapCi>;
  /** FROC over the cases swept with every candidate (detection only). */
  froc?: { fpRates: number[]; sensitivities: number[]; cpm: number; lesions: number; scans: number };
  /** The bias audit: the group's main metrics per subgroup of each attribute. */
  subgroups: { metric: string; audits: SubgroupAudit[] }[];
}

/** validation.json. */
export interface ValidationReport {
  schemaVersion: string;
  medimgVersion: string;
  createdAt: string;
  manifest: { name?: string; version: string; cases: number };
  bootstrap: { resamples: number; seed: number; level: number };
  cases: ValidationCaseReport[];
  summary: ValidationTaskSummary[];
}

/** Fewest cases for which a summary gives a bootstrap interval. */
export const MIN_CASES_FOR_INTERVAL = 3;

/** Attributes audited for every group (those no case has are left out). */
export const AUDIT_ATTRIBUTES = [
  'scanner',
  'kernel',
  'sliceBand',
  'sex',
  'ageBand',
  'contrast',
  'modality',
  'bodyPart',
];

/** Metrics the bias audit reports, per task. */
export const AUDIT_METRICS: Record<string, string[]> = Object.fromEntries(
  TASKS.flatMap((t) => (t.validation ? [[t.id, t.validation.auditMetrics]] : [])),
);

/** Summaries per task group: case-level means with seeded bootstrap intervals, FROC, subgroup audits. */
export function summarise(
  cases: ValidationCaseReport[],
  bootstrap: { resamples: number; seed: number; level: number },
): ValidationTaskSummary[] {
  const groups = new Map<
    string,
    { task: ValidationTaskName; runs: { run: ValidationRun; attrs: Record<string, string | number> }[] }
  >();
  for (const c of cases)
    for (const r of c.runs) {
      const g = groups.get(r.group) ?? { task: r.task, runs: [] };
      g.runs.push({ run: r, attrs: c.attributes });
      groups.set(r.group, g);
    }
  const out: ValidationTaskSummary[] = [];
  for (const [group, g] of [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const ok = g.runs.filter((x) => x.run.status === 'ok');
    // case-level records: the mean of each metric over the case's runs (runs of one case are not independent)
    const byCase = new Map<string, { attrs: Record<string, string | number>; runs: ValidationRun[] }>();
    for (const x of ok) {
      const e = byCase.get(x.run.caseId) ?? { attrs: x.attrs, runs: [] };
      e.runs.push(x.run);
      byCase.set(x.run.caseId, e);
    }
    const names = new Set<string>();
    for (const x of ok) for (const k of Object.keys(x.run.metrics)) names.add(k);
    const records = [...byCase.entries()].map(([caseId, e]) => {
      const rec: Record<string, number | string | null> = { caseId, ...e.attrs };
      for (const k of names) {
        const vals = e.runs
          .map((r) => r.metrics[k])
          .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
        rec[k] = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
      }
      // several boxes of one lesion: how far each box's volume lies from their median
      const vols = e.runs.map((r) => r.metrics.volumeMl).filter((v): v is number => typeof v === 'number');
      if (vols.length > 1) {
        const s = [...vols].sort((a, b) => a - b);
        const med = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
        rec.volumeMaxDevFromMedianPct = med > 0 ? (100 * Math.max(...vols.map((v) => Math.abs(v - med)))) / med : null;
        names.add('volumeMaxDevFromMedianPct');
      }
      return rec;
    });
    const metrics: Record<string, BootstrapCi> = {};
    for (const k of [...names].sort()) {
      const vals = records.map((r) => r[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (!vals.length) continue;
      const ci = bootstrapCi(vals, bootstrap);
      // with one or two cases a percentile bootstrap only restates them: no interval
      metrics[k] = vals.length < MIN_CASES_FOR_INTERVAL ? { ...ci, low: null, high: null } : ci;
    }
    const summary: ValidationTaskSummary = {
      group,
      task: g.task,
      cases: byCase.size,
      runs: g.runs.length,
      failedRuns: g.runs.length - ok.length,
      metrics,
      subgroups: [],
    };
    const swept: FrocScan[] = [];
    for (const x of ok) if (x.run.frocScan && x.run.notes.sweep === true) swept.push(x.run.frocScan);
    if (swept.length) {
      const f = froc(swept);
      summary.froc = {
        fpRates: f.fpRates,
        sensitivities: f.sensitivities,
        cpm: f.cpm,
        lesions: f.totalLesions,
        scans: f.scans,
      };
    }
    for (const metric of AUDIT_METRICS[g.task] ?? []) {
      const recs = records.filter((r) => typeof r[metric] === 'number');
      if (!recs.length) continue;
      const audits = AUDIT_ATTRIBUTES.filter((a) => recs.some((r) => r[a] !== undefined)).map((a) =>
        auditSubgroups(recs, a, metric),
      );
      summary.subgroups.push({ metric, audits });
    }
    out.push(summary);
  }
  return out;
}
