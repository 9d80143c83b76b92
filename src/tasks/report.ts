import type { Volume, VoxelArray } from '../core/volume.js';
import type { Caveat } from './caveats.js';
import type { RegisteredResults } from './registry.js';

/**
 * Version of the report schemas in `schemas/` (semver: a field removed or changed is a major bump).
 * 2.0.0: one task contract (`limitations` on every result, one provenance shape: `timingsMs`,
 * `backend`, `model`, `warnings`; radiomics and brain-tissue task names are the function names).
 * 2.1.0: optional `caveats` on every report (rule-based, see `findCaveats`).
 */
export const REPORT_SCHEMA_VERSION = '2.1.0';

/** The major of {@link REPORT_SCHEMA_VERSION}: schema files are `schemas/<task>.v<major>.schema.json`. */
export const REPORT_SCHEMA_MAJOR = 2;

/** What a report keeps of a volume (its voxels live in DICOM SEG, NIfTI or PNG files, not in JSON). */
export interface VolumeSummary {
  /** Grid size [nx, ny, nz]. */
  dims: [number, number, number];
  /** mm */
  spacing: [number, number, number];
  /** LPS mm of voxel (0, 0, 0). */
  origin: [number, number, number];
  /** Row-major 3x3 direction matrix. */
  direction: number[];
  /** Voxels that are not 0 (for a mask: its size). */
  nonzeroVoxels: number;
}

// The JSON form of a result: volumes become VolumeSummary, typed arrays are left out, numbers may
// be null (JSON has no NaN).
export type Plain<T> = T extends number
  ? number | null
  : T extends Volume<VoxelArray>
    ? VolumeSummary
    : T extends ArrayBufferView
      ? never
      : T extends (infer U)[]
        ? Plain<U>[]
        : T extends object
          ? { [K in keyof T]: Plain<T[K]> }
          : T;

/** Fields every report starts with. */
export interface ReportHeader<Task extends string> {
  /** Which task produced it. */
  task: Task;
  /** `REPORT_SCHEMA_VERSION` of the schema it follows. */
  schemaVersion: string;
  /**
   * Figures of this result that look wrong by rule (from `findCaveats`, since 2.1.0): present when
   * the caller passed them to `toReport` (`medimg analyze` always does; empty when none applied).
   */
  caveats?: Caveat[];
}

/** Options of {@link toReport}. */
export interface ToReportOptions {
  /** Caveats to include (those of `findCaveats` that concern this task: `caveatsOf(all, task)`). Default none (field left out). */
  caveats?: Caveat[];
}

/** JSON report of a task: the header plus the plain form of its result (`schemas/<task>.v2.schema.json`). */
export type TaskReport<K extends ReportTask> = ReportHeader<K> & Plain<TaskResults[K]>;

/** Task name → its result type: every task of the registry (src/tasks/registry.ts). */
export interface TaskResults extends RegisteredResults {}

/** Task names that have a report schema. */
export type ReportTask = keyof TaskResults;

/**
 * The JSON report of a task result, following `schemas/<task>.v2.schema.json`: volumes become
 * summaries, typed arrays are dropped, non-finite numbers become null (JSON has no NaN).
 *
 * @example
 * ```ts
 * import { caveatsOf, findCaveats, segmentTumor, toReport } from 'medimg';
 * const tumour = await segmentTumor(ct, { seed: [40, 205, -209] });
 * const { caveats } = findCaveats(ct, { segmentTumor: tumour });
 * const json = JSON.stringify(toReport('segmentTumor', tumour, { caveats: caveatsOf(caveats, 'segmentTumor') }));
 * ```
 */
export function toReport<K extends ReportTask>(
  task: K,
  result: TaskResults[K],
  options: ToReportOptions = {},
): TaskReport<K> {
  const caveats = options.caveats === undefined ? {} : { caveats: plain(options.caveats) };
  return { task, schemaVersion: REPORT_SCHEMA_VERSION, ...caveats, ...(plain(result) as object) } as TaskReport<K>;
}

function isVolume(v: Record<string, unknown>): v is Record<string, unknown> & Volume {
  return ArrayBuffer.isView(v.data) && Array.isArray(v.dims) && Array.isArray(v.spacing) && Array.isArray(v.origin);
}

function plain(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return undefined;
  if (Array.isArray(value)) return value.map((v) => plain(v) ?? null);
  const o = value as Record<string, unknown>;
  if (isVolume(o)) {
    const d = o.data as ArrayLike<number>;
    let n = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
    return {
      dims: [...o.dims],
      spacing: [...o.spacing],
      origin: [...o.origin],
      direction: [...o.direction],
      nonzeroVoxels: n,
    };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'function') continue;
    const p = plain(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}
