/**
 * Candidate features of detectNodules (every candidate, minProbability 0) with a hit/miss label, on
 * the real chest CTs of ../shared/data (each also re-sliced thick and re-filtered smooth/sharp, so
 * one patient gives several scans that are held out TOGETHER) and on phantoms at 1.25-8 mm slices.
 * Writes bench/out/nodule-candidates.json for bench/fit-nodule-score.ts.
 * Run: npx tsx bench/nodule-candidates.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import { gaussian } from '../src/core/ops/gaussian.js';
import { makeChestCtPhantom } from '../src/core/phantoms/chest-ct.js';
import type { Vec3, Volume } from '../src/core/volume.js';
import { readDicomSeries } from '../src/io/dicom/index.js';
import { detectNodules } from '../src/tasks/index.js';
import { resliceThick, smoothKernel } from '../test/helpers/ct-variants.js';

const here = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(here, '../../shared/data');

/** One candidate: its features, whether it hit a lesion, and the group (patient) it belongs to. */
export interface CandidateRow {
  group: string;
  scan: string;
  hit: boolean;
  /** Index of the lesion hit (-1: none). */
  lesion: number;
  probability: number;
  diameterMm: number;
  features: Record<string, number>;
}
/** Per scan: how many lesions it has (for per-lesion sensitivity). */
export interface ScanRow {
  group: string;
  scan: string;
  lesions: number;
  sliceMm: number;
}
const rows: CandidateRow[] = [];
const scans: ScanRow[] = [];

interface Lesion {
  lo: Vec3;
  hi: Vec3;
}
async function run(group: string, scan: string, ct: Volume, lesions: Lesion[]): Promise<void> {
  const t = performance.now();
  const r = await detectNodules(ct, { minProbability: 0 });
  let hits = 0;
  for (const n of r.nodules) {
    const lesion = lesions.findIndex((l) => n.centerMm.every((v, a) => v >= l.lo[a]! && v <= l.hi[a]!));
    const hit = lesion >= 0;
    if (hit) hits++;
    rows.push({
      group,
      scan,
      hit,
      lesion,
      probability: n.probability,
      diameterMm: n.diameterMm,
      features: { ...n.features },
    });
  }
  scans.push({ group, scan, lesions: lesions.length, sliceMm: ct.spacing[2] });
  console.error(
    `${scan}: ${r.nodules.length} candidates, ${hits} on lesions, ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
}

/** The radiologists' boxes of a real CT as one lesion box (5 mm margin in-plane, half a slice in z). */
function realLesion(dir: string, sliceMm: number): Lesion {
  const anns = (
    JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
      tumor_annotations: { bbox_corner_min_LPS_mm: Vec3; bbox_corner_max_LPS_mm: Vec3 }[];
    }
  ).tumor_annotations;
  const m = [5, 5, Math.max(5, sliceMm)];
  const lo = [0, 1, 2].map((a) => Math.min(...anns.map((b) => b.bbox_corner_min_LPS_mm[a]!)) - m[a]!) as Vec3;
  const hi = [0, 1, 2].map((a) => Math.max(...anns.map((b) => b.bbox_corner_max_LPS_mm[a]!)) + m[a]!) as Vec3;
  return { lo, hi };
}

const sharpen = (ct: Volume, sigmaMm: number, amount: number): Volume<Float32Array> => {
  const g = gaussian(ct, { sigmaMm: [sigmaMm, sigmaMm, 0] });
  const d = g.data;
  for (let i = 0; i < d.length; i++) d[i] = ct.data[i]! + amount * (ct.data[i]! - d[i]!);
  return g;
};

for (const name of ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f']) {
  const dir = join(DATA, 'dicom', name);
  const ct = await readDicomSeries(dir);
  const group = name.split('_')[3]!;
  await run(group, `${group} original`, ct, [realLesion(dir, ct.spacing[2])]);
  await run(group, `${group} smooth 1.2mm`, smoothKernel(ct, 1.2), [realLesion(dir, ct.spacing[2])]);
  await run(group, `${group} sharp`, sharpen(ct, 1, 1.5), [realLesion(dir, ct.spacing[2])]);
  for (const t of ct.spacing[2] < 8 ? [10] : [12]) {
    await run(group, `${group} ${t} mm slices`, resliceThick(ct, t), [realLesion(dir, t)]);
  }
}

for (const [i, sliceMm] of [1.25, 2.5, 5, 8].entries()) {
  for (const seed of [201 + 2 * i, 202 + 2 * i]) {
    const p = makeChestCtPhantom({
      dims: [170, 120, Math.round(150 / sliceMm)],
      spacing: [2, 2, sliceMm],
      nodules: 12,
      noiseSd: [10, 25, 40][seed % 3]!,
      seed,
      blurSigmaMm: 0.6,
      tumor: seed % 2 === 0,
    });
    const lesions: Lesion[] = p.truth.nodules.map((n) => {
      const r = Math.max(n.diameterMm / 2, 0.5 * sliceMm);
      return { lo: n.centerMm.map((v) => v - r) as Vec3, hi: n.centerMm.map((v) => v + r) as Vec3 };
    });
    if (p.truth.tumor) {
      const c = p.truth.tumor.centerMm;
      lesions.push({ lo: c.map((v) => v - 20) as Vec3, hi: c.map((v) => v + 20) as Vec3 });
    }
    await run(`phantom-${seed}`, `phantom ${sliceMm} mm seed ${seed}`, p.image, lesions);
  }
}
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(join(here, 'out', 'nodule-candidates.json'), JSON.stringify({ scans, rows }));
console.error(`${rows.length} candidates from ${scans.length} scans`);
