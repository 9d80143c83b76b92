import { MedImgError } from '../core/errors.js';
import { findTask, TASKS } from '../tasks/registry.js';
import { parse as parseYaml } from 'yaml';
import type { Vec3 } from '../core/volume.js';

/** Current manifest schema version (schemas/validationManifest.v1.schema.json). */
export const VALIDATION_MANIFEST_VERSION = '1.0';

// The schemas' list of task ids. The harness accepts any registered task whose definition has
// `validation` (VALIDATION_TASKS, from the registry); naming a new one here puts it in the schemas.
/** Tasks the harness knows how to run and score. */
export type ValidationTaskName = 'detectNodules' | 'segmentTumor' | 'measureBoneDensity';
/** Tasks the harness knows how to run and score: the registry's tasks that say how to score them. */
export const VALIDATION_TASKS: readonly ValidationTaskName[] = TASKS.filter((t) => t.validation).map(
  (t) => t.id as ValidationTaskName,
);

/** A box in LPS mm (one annotated slice: equal z). */
export interface ManifestBox {
  min: Vec3;
  max: Vec3;
}

/**
 * Where a case's image comes from: a file or DICOM folder (`path`, relative to the manifest or, with
 * `root: 'data'`, to the data root), or a built-in synthetic phantom with its exact truth.
 */
export type ManifestImage =
  | { path: string; root?: 'manifest' | 'data'; format?: 'dicom' | 'nifti' | 'nrrd' | 'mgh' }
  | { phantom: 'chest-ct'; options?: Record<string, unknown> };

/** A label mask on the image's grid (NIfTI, NRRD or DICOM SEG). */
export interface ManifestMask {
  /** Lesion id this mask is the truth of. */
  lesion: string;
  path: string;
  root?: 'manifest' | 'data';
  /** Label number of the lesion in the file. Default 1 (DICOM SEG: segment number). */
  label?: number;
}

/** One annotated lesion: a point with a diameter, a stack of per-slice boxes, or a mask (see `masks`). */
export interface ManifestLesion {
  id: string;
  /** Centre, LPS mm (derived from the boxes or the mask when absent). */
  centerMm?: Vec3;
  /** Diameter, mm: the hit radius of detection is half of it. */
  diameterMm?: number;
  /** Expert boxes, one per annotated slice, LPS mm. */
  boxes?: ManifestBox[];
}

/** An expected value at a place, e.g. the trabecular HU of a vertebra. */
export interface ManifestExpectedValue {
  id: string;
  /** What the value is: 'hu' (mean HU of the region nearest `centerMm`). */
  kind: 'hu';
  centerMm: Vec3;
  value: number;
  /** Largest distance (mm) between `centerMm` and the measured region for them to be matched. Default 15. */
  matchMm?: number;
}

/** Case attributes for the subgroup (bias) audit; DICOM values win where the image has them. */
export interface ManifestAttributes {
  scanner?: string;
  kernel?: string;
  sliceThicknessMm?: number;
  sex?: string;
  ageBand?: string;
  contrast?: string;
  modality?: string;
  bodyPart?: string;
  [key: string]: string | number | undefined;
}

/**
 * How to prompt an interactive task from the truth: the lesion centre as a click ('centre'), a 3D
 * box around the lesion ('box-3d'), or the expert box of one slice ('slice-box'; `slice`: 'largest',
 * 'middle', 'all' = one run per box, or a 0-based box number).
 */
export interface ManifestPrompt {
  lesion: string;
  kind: 'centre' | 'box-3d' | 'slice-box';
  slice?: 'largest' | 'middle' | 'all' | number;
}

/** One task to run on a case. */
export interface ManifestTask {
  task: ValidationTaskName;
  /** Distinguishes several runs of one task on a case (e.g. 'click', 'box'). Default the task name. */
  id?: string;
  /** Options passed to the task (plain JSON: seed/box in LPS mm, thresholds...). */
  options?: Record<string, unknown>;
  /** Interactive tasks: derive the seed/box from the truth. */
  prompt?: ManifestPrompt;
  /** detectNodules: run with every candidate (minProbability 0) so that a FROC curve can be drawn. */
  sweep?: boolean;
  /** detectNodules: the operating threshold for hit/miss and false findings. Default 0.5. */
  threshold?: number;
}

/** One case of a manifest. */
export interface ManifestCase {
  id: string;
  image: ManifestImage;
  truth?: {
    lesions?: ManifestLesion[];
    masks?: ManifestMask[];
    expected?: ManifestExpectedValue[];
  };
  attributes?: ManifestAttributes;
  tasks: ManifestTask[];
  /** Free text: where the case and its truth come from. */
  source?: string;
}

/** A validation manifest (JSON or YAML; schemas/validationManifest.v1.schema.json). */
export interface ValidationManifest {
  /** Manifest schema version, '1.x'. */
  version: string;
  name?: string;
  description?: string;
  cases: ManifestCase[];
}

const bad = (msg: string): MedImgError => new MedImgError('INVALID_ARGUMENT', `Validation manifest: ${msg}`);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function vec3(v: unknown, where: string): Vec3 {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw bad(`${where} must be three finite numbers (LPS mm).`);
  return [v[0], v[1], v[2]] as Vec3;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 500) throw bad(`${where} must be a non-empty string.`);
  return v;
}

function id(v: unknown, where: string): string {
  const s = str(v, where);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(s)) throw bad(`${where} may only hold letters, digits, '.', '_' and '-'.`);
  return s;
}

function root(v: unknown, where: string): 'manifest' | 'data' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'manifest' && v !== 'data') throw bad(`${where} must be 'manifest' or 'data'.`);
  return v;
}

function box(v: unknown, where: string): ManifestBox {
  if (!isObj(v)) throw bad(`${where} must be { min, max }.`);
  const min = vec3(v.min, `${where}.min`);
  const max = vec3(v.max, `${where}.max`);
  if (min.some((m, a) => m > max[a]!)) throw bad(`${where}: min must not exceed max.`);
  return { min, max };
}

function parseImage(v: unknown, where: string): ManifestImage {
  if (!isObj(v)) throw bad(`${where} must be an object.`);
  if (v.phantom !== undefined) {
    if (v.phantom !== 'chest-ct') throw bad(`${where}.phantom must be 'chest-ct'.`);
    if (v.options !== undefined && !isObj(v.options)) throw bad(`${where}.options must be an object.`);
    return { phantom: 'chest-ct', ...(v.options ? { options: v.options } : {}) };
  }
  const format = v.format;
  if (format !== undefined && format !== 'dicom' && format !== 'nifti' && format !== 'nrrd' && format !== 'mgh')
    throw bad(`${where}.format must be dicom, nifti, nrrd or mgh.`);
  const r = root(v.root, `${where}.root`);
  return { path: str(v.path, `${where}.path`), ...(r ? { root: r } : {}), ...(format ? { format } : {}) };
}

function parseTask(v: unknown, where: string, lesionIds: Set<string>): ManifestTask {
  if (!isObj(v)) throw bad(`${where} must be an object.`);
  const task = v.task;
  if (!VALIDATION_TASKS.includes(task as ValidationTaskName))
    throw bad(`${where}.task must be one of ${VALIDATION_TASKS.join(', ')}.`);
  const out: ManifestTask = { task: task as ValidationTaskName };
  if (v.id !== undefined) out.id = id(v.id, `${where}.id`);
  if (v.options !== undefined) {
    if (!isObj(v.options)) throw bad(`${where}.options must be an object.`);
    out.options = v.options;
  }
  if (v.prompt !== undefined) {
    const p = v.prompt;
    if (!isObj(p)) throw bad(`${where}.prompt must be an object.`);
    const lesion = id(p.lesion, `${where}.prompt.lesion`);
    if (!lesionIds.has(lesion) && lesionIds.size > 0)
      throw bad(`${where}.prompt.lesion '${lesion}' is not a lesion of the case.`);
    if (p.kind !== 'centre' && p.kind !== 'box-3d' && p.kind !== 'slice-box')
      throw bad(`${where}.prompt.kind must be centre, box-3d or slice-box.`);
    const slice = p.slice;
    if (
      slice !== undefined &&
      slice !== 'largest' &&
      slice !== 'middle' &&
      slice !== 'all' &&
      !(typeof slice === 'number' && Number.isInteger(slice) && slice >= 0)
    )
      throw bad(`${where}.prompt.slice must be largest, middle, all or a box number.`);
    out.prompt = { lesion, kind: p.kind, ...(slice !== undefined ? { slice: slice as ManifestPrompt['slice'] } : {}) };
  }
  if (v.sweep !== undefined) {
    if (typeof v.sweep !== 'boolean') throw bad(`${where}.sweep must be true or false.`);
    out.sweep = v.sweep;
  }
  if (v.threshold !== undefined) {
    if (typeof v.threshold !== 'number' || !(v.threshold >= 0 && v.threshold <= 1))
      throw bad(`${where}.threshold must be a number in [0, 1].`);
    out.threshold = v.threshold;
  }
  const needsPrompt = findTask(out.task)?.validation?.needsPrompt === true;
  if (needsPrompt && !out.prompt && !(out.options && ('seed' in out.options || 'box' in out.options)))
    throw bad(`${where}: ${out.task} needs a prompt or a seed/box in its options.`);
  return out;
}

function parseCase(v: unknown, where: string): ManifestCase {
  if (!isObj(v)) throw bad(`${where} must be an object.`);
  const c: ManifestCase = { id: id(v.id, `${where}.id`), image: parseImage(v.image, `${where}.image`), tasks: [] };
  const lesionIds = new Set<string>();
  if (v.truth !== undefined) {
    const t = v.truth;
    if (!isObj(t)) throw bad(`${where}.truth must be an object.`);
    c.truth = {};
    if (t.lesions !== undefined) {
      if (!Array.isArray(t.lesions)) throw bad(`${where}.truth.lesions must be a list.`);
      c.truth.lesions = t.lesions.map((l, i) => {
        const w = `${where}.truth.lesions[${i}]`;
        if (!isObj(l)) throw bad(`${w} must be an object.`);
        const out: ManifestLesion = { id: id(l.id, `${w}.id`) };
        if (lesionIds.has(out.id)) throw bad(`${w}.id '${out.id}' is repeated.`);
        lesionIds.add(out.id);
        if (l.centerMm !== undefined) out.centerMm = vec3(l.centerMm, `${w}.centerMm`);
        if (l.diameterMm !== undefined) {
          if (typeof l.diameterMm !== 'number' || !(l.diameterMm > 0)) throw bad(`${w}.diameterMm must be > 0.`);
          out.diameterMm = l.diameterMm;
        }
        if (l.boxes !== undefined) {
          if (!Array.isArray(l.boxes) || l.boxes.length === 0) throw bad(`${w}.boxes must be a non-empty list.`);
          out.boxes = l.boxes.map((b, j) => box(b, `${w}.boxes[${j}]`));
        }
        return out;
      });
    }
    if (t.masks !== undefined) {
      if (!Array.isArray(t.masks)) throw bad(`${where}.truth.masks must be a list.`);
      c.truth.masks = t.masks.map((m, i) => {
        const w = `${where}.truth.masks[${i}]`;
        if (!isObj(m)) throw bad(`${w} must be an object.`);
        const lesion = id(m.lesion, `${w}.lesion`);
        lesionIds.add(lesion);
        const r = root(m.root, `${w}.root`);
        const out: ManifestMask = { lesion, path: str(m.path, `${w}.path`), ...(r ? { root: r } : {}) };
        if (m.label !== undefined) {
          if (typeof m.label !== 'number' || !Number.isInteger(m.label) || m.label < 1 || m.label > 65535)
            throw bad(`${w}.label must be an integer 1..65535.`);
          out.label = m.label;
        }
        return out;
      });
    }
    if (t.expected !== undefined) {
      if (!Array.isArray(t.expected)) throw bad(`${where}.truth.expected must be a list.`);
      c.truth.expected = t.expected.map((e, i) => {
        const w = `${where}.truth.expected[${i}]`;
        if (!isObj(e)) throw bad(`${w} must be an object.`);
        if (e.kind !== 'hu') throw bad(`${w}.kind must be 'hu'.`);
        if (typeof e.value !== 'number' || !Number.isFinite(e.value)) throw bad(`${w}.value must be a number.`);
        const out: ManifestExpectedValue = {
          id: id(e.id, `${w}.id`),
          kind: 'hu',
          centerMm: vec3(e.centerMm, `${w}.centerMm`),
          value: e.value,
        };
        if (e.matchMm !== undefined) {
          if (typeof e.matchMm !== 'number' || !(e.matchMm > 0)) throw bad(`${w}.matchMm must be > 0.`);
          out.matchMm = e.matchMm;
        }
        return out;
      });
    }
  }
  if ('phantom' in c.image) for (const l of ['tumor']) lesionIds.add(l);
  if (v.attributes !== undefined) {
    if (!isObj(v.attributes)) throw bad(`${where}.attributes must be an object.`);
    const a: ManifestAttributes = {};
    for (const [k, x] of Object.entries(v.attributes)) {
      if (typeof x !== 'string' && typeof x !== 'number')
        throw bad(`${where}.attributes.${k} must be a string or number.`);
      a[k] = x;
    }
    c.attributes = a;
  }
  if (v.source !== undefined) c.source = str(v.source, `${where}.source`);
  if (!Array.isArray(v.tasks) || v.tasks.length === 0) throw bad(`${where}.tasks must be a non-empty list.`);
  c.tasks = v.tasks.map((t, i) => parseTask(t, `${where}.tasks[${i}]`, lesionIds));
  const runIds = new Set<string>();
  for (const t of c.tasks) {
    const rid = t.id ?? t.task;
    if (runIds.has(rid)) throw bad(`${where}: two tasks share the id '${rid}'; give each an 'id'.`);
    runIds.add(rid);
  }
  return c;
}

/**
 * Parses and checks a validation manifest: JSON text (starting with '{'), YAML text (the `yaml`
 * package, as for radiomics parameter files) or an already parsed object.
 * Paths stay as written; {@link resolveManifestPath} resolves them.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseValidationManifest } from 'medimg';
 * const m = parseValidationManifest(readFileSync('dev.manifest.json', 'utf8'));
 * m.cases.map((c) => c.id);
 * ```
 * @throws MedImgError `INVALID_ARGUMENT` naming the first bad field.
 */
export function parseValidationManifest(input: string | unknown): ValidationManifest {
  let v: unknown = input;
  if (typeof input === 'string') {
    if (input.length > 20_000_000) throw bad('the text is too large.');
    const json = input.trimStart().startsWith('{');
    try {
      v = json ? JSON.parse(input) : parseYaml(input, { maxAliasCount: 100 });
    } catch (e) {
      throw bad(`not valid ${json ? 'JSON' : 'YAML'} (${(e as Error).message.split('\n')[0]!.slice(0, 120)}).`);
    }
  }
  if (!isObj(v)) throw bad('the top level must be an object.');
  const version = typeof v.version === 'number' ? String(v.version) : v.version;
  if (typeof version !== 'string' || !/^1(\.\d+)*$/.test(version))
    throw bad(`version must be '1.x' (this medimg reads manifest schema ${VALIDATION_MANIFEST_VERSION}).`);
  if (!Array.isArray(v.cases) || v.cases.length === 0) throw bad('cases must be a non-empty list.');
  const cases = v.cases.map((c, i) => parseCase(c, `cases[${i}]`));
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw bad(`case id '${c.id}' is repeated.`);
    ids.add(c.id);
  }
  return {
    version,
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(typeof v.description === 'string' ? { description: v.description } : {}),
    cases,
  };
}

/** Where manifest paths are relative to. */
export interface ManifestRoots {
  /** Folder of the manifest file. */
  manifestDir: string;
  /** Data root for `root: 'data'` paths. Default `manifestDir`. */
  dataRoot?: string;
}

/** Resolves a manifest path (absolute paths are kept) with '/' separators. */
export function resolveManifestPath(
  path: string,
  where: 'manifest' | 'data' | undefined,
  roots: ManifestRoots,
): string {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return path;
  const base = where === 'data' ? (roots.dataRoot ?? roots.manifestDir) : roots.manifestDir;
  const parts = `${base.replace(/\\/g, '/')}/${path}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else if (p !== '.' && !(p === '' && out.length > 0)) out.push(p);
  }
  return out.join('/');
}
