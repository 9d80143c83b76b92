/**
 * Validation of the clinical tasks against ground truth: phantoms from makeChestCtPhantom (exact
 * truth) and the real CT in ../shared/data. Prints markdown tables (copied into docs/tasks/*.md).
 * Run: npm run validate:phantoms   (or: npx tsx bench/validate-phantoms.ts [--quick]). The manifest-driven
 * harness (npm run validate) covers the real cases; this keeps the phantom sweeps the task pages quote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/index.js';
import { worldToIndex } from '../src/core/geometry.js';
import { averageSurfaceDistance, dice, froc, hausdorff95, type FrocScan } from '../src/core/metrics/index.js';
import { makeChestCtPhantom } from '../src/core/phantoms/chest-ct.js';
import type { Vec3, Volume } from '../src/core/volume.js';
import { readDicomSeries } from '../src/io/dicom/index.js';
import { readNrrd } from '../src/io/nrrd.js';
import {
  detectNodules,
  measureBoneDensity,
  quantifyLungOpacity,
  segmentLungs,
  segmentTumor,
} from '../src/tasks/index.js';
import { pixelBoxIoU, sliceBoundingBox } from '../test/helpers/mask-slices.js';

const quick = process.argv.includes('--quick');
const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data');
const f = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const line = (cells: (string | number)[]): void => console.log(`| ${cells.join(' | ')} |`);
const t0 = performance.now();

// ---------------------------------------------------------------- nodules (FROC, LUNA16 rules)
console.log('\n## detectNodules on phantoms (FROC, LUNA16 hit rule)\n');
const noiseLevels = quick ? [20] : [10, 25, 40];
const seeds = quick ? [1] : [1, 2, 3];
const grid = { dims: [256, 256, 120] as Vec3, spacing: [1.4, 1.4, 2.5] as Vec3 };
const allScans: FrocScan[] = [];
line(['noise SD (HU)', 'scans', 'nodules', 'sens@1/8', '@1/4', '@1/2', '@1', '@2', '@4', '@8', 'CPM', 's/scan']);
line(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---']);
const missed: string[] = [];
for (const noise of noiseLevels) {
  const scans: FrocScan[] = [];
  let secs = 0;
  for (const seed of seeds) {
    const p = makeChestCtPhantom({ ...grid, nodules: 22, noiseSd: noise, seed, blurSigmaMm: 0.7 });
    const t = performance.now();
    const r = await detectNodules(p.image, { minProbability: 0 });
    secs += (performance.now() - t) / 1000;
    const scan: FrocScan = { candidates: r.nodules, lesions: p.truth.nodules };
    scans.push(scan);
    const res = froc([scan]);
    p.truth.nodules.forEach((n, i) => {
      if (res.lesionHits[0]![i] === null)
        missed.push(
          `${n.diameterMm.toFixed(1)} mm ${n.type}${n.juxtapleural ? ' juxtapleural' : ''} (seed ${seed}, noise ${noise})`,
        );
    });
  }
  allScans.push(...scans);
  const r = froc(scans);
  line([
    noise,
    scans.length,
    r.totalLesions,
    ...r.sensitivities.map((s) => f(s)),
    f(r.cpm, 3),
    f(secs / scans.length, 1),
  ]);
}
const all = froc(allScans);
line(['all', allScans.length, all.totalLesions, ...all.sensitivities.map((s) => f(s)), f(all.cpm, 3), '']);
// operating point of the default threshold, and sensitivity per kind of nodule at <= 4 FP/scan
{
  let tp = 0;
  let fp = 0;
  let total = 0;
  const kinds = new Map<string, { hit: number; n: number }>();
  const t4 = all.curve.filter((pt) => pt.fpPerScan <= 4).at(-1)?.threshold ?? 1;
  for (const s of allScans) {
    const kept = s.candidates.filter((c) => c.probability >= 0.5);
    for (const l of s.lesions as { centerMm: Vec3; diameterMm: number; type?: string; juxtapleural?: boolean }[]) {
      total++;
      const hitAt = (cs: typeof kept): boolean =>
        cs.some(
          (c) =>
            Math.hypot(c.centerMm[0] - l.centerMm[0], c.centerMm[1] - l.centerMm[1], c.centerMm[2] - l.centerMm[2]) <=
            l.diameterMm / 2,
        );
      if (hitAt(kept)) tp++;
      const key = `${l.type}${l.juxtapleural ? ' (juxtapleural)' : ''}`;
      const k = kinds.get(key) ?? { hit: 0, n: 0 };
      k.n++;
      if (hitAt(s.candidates.filter((c) => c.probability >= t4))) k.hit++;
      kinds.set(key, k);
    }
    fp += kept.filter(
      (c) =>
        !s.lesions.some(
          (l) =>
            Math.hypot(c.centerMm[0] - l.centerMm[0], c.centerMm[1] - l.centerMm[1], c.centerMm[2] - l.centerMm[2]) <=
            l.diameterMm / 2,
        ),
    ).length;
  }
  console.log(
    `\nDefault threshold (probability >= 0.5): sensitivity ${f(tp / total)} at ${f(fp / allScans.length)} FP/scan.`,
  );
  console.log(
    `Sensitivity by kind at <= 4 FP/scan: ${[...kinds.entries()].map(([k, v]) => `${k} ${v.hit}/${v.n}`).join(', ')}`,
  );
}
console.log(`\nMissed at any threshold: ${missed.length ? missed.join('; ') : 'none'}`);

// ---------------------------------------------------------------- tumour segmentation
console.log('\n## segmentTumor on phantom tumours\n');
line(['seed', 'noise', 'mode', 'Dice', 'HD95 mm', 'ASSD mm', 'volume mL', 'truth mL', 's']);
line(['---', '---', '---', '---', '---', '---', '---', '---', '---']);
for (const [seed, noise] of quick
  ? [[1, 20]]
  : [
      [1, 10],
      [2, 25],
      [3, 40],
      [4, 40],
    ]) {
  const p = makeChestCtPhantom({ ...grid, nodules: 4, noiseSd: noise, seed, tumor: true, blurSigmaMm: 0.7 });
  const tr = p.truth.tumor!;
  const c = tr.centerMm;
  for (const mode of ['seed', 'box'] as const) {
    const t = performance.now();
    const r = await segmentTumor(
      p.image,
      mode === 'seed' ? { seed: c } : { box: { min: [c[0] - 24, c[1] - 24, c[2]], max: [c[0] + 24, c[1] + 24, c[2]] } },
    );
    line([
      seed!,
      noise!,
      mode,
      f(dice(r.mask, tr.mask), 3),
      f(hausdorff95(r.mask, tr.mask)),
      f(averageSurfaceDistance(r.mask, tr.mask)),
      f(r.lesions[0]!.volumeMl),
      f(tr.volumeMm3 / 1000),
      f((performance.now() - t) / 1000, 1),
    ]);
  }
}

// ---------------------------------------------------------------- bone density
console.log('\n## measureBoneDensity on phantoms (known trabecular HU)\n');
line(['noise SD', 'vertebrae', 'mean |error| HU', 'max |error| HU', 'ROI voxels inside truth core']);
line(['---', '---', '---', '---', '---']);
for (const noise of quick ? [20] : [0, 20, 40]) {
  const errs: number[] = [];
  let inside = 0;
  let total = 0;
  for (const seed of seeds) {
    const p = makeChestCtPhantom({ ...grid, nodules: 0, noiseSd: noise, seed, blurSigmaMm: 0.7 });
    const r = await measureBoneDensity(p.image, { returnRoiMasks: true });
    for (const v of r.vertebrae) {
      const tv = p.truth.vertebrae.reduce((b, q) =>
        Math.abs(q.centerMm[2] - v.centerMm[2]) < Math.abs(b.centerMm[2] - v.centerMm[2]) ? q : b,
      );
      errs.push(Math.abs(v.meanHU - tv.trabecularHU));
      const m = v.roiMask!.data;
      for (let i = 0; i < m.length; i++) {
        if (!m[i]) continue;
        total++;
        if (p.truth.trabecularLabels.data[i] === tv.label) inside++;
      }
    }
  }
  line([
    noise,
    errs.length,
    f(errs.reduce((a, b) => a + b, 0) / errs.length),
    f(Math.max(...errs)),
    `${inside}/${total}`,
  ]);
}

// ---------------------------------------------------------------- lung opacity
console.log('\n## quantifyLungOpacity on a phantom with lesions of known volume\n');
{
  // Lesions of known volume vs the same anatomy without them: the difference cancels the
  // partial-volume layer at the lung borders, which every HU-band method counts.
  const base = { ...grid, vesselTrees: 0, noiseSd: 15, seed: 5 };
  const p = makeChestCtPhantom({
    ...base,
    tumor: true,
    nodules: [
      { diameterMm: 24, type: 'ground-glass', lung: 'right' },
      { diameterMm: 20, type: 'ground-glass', lung: 'left' },
      { diameterMm: 16, type: 'solid', lung: 'right' },
    ],
  });
  const q = makeChestCtPhantom({ ...base, nodules: 0 });
  // an emphysema-like region: a sphere of about -985 HU in the right lower lobe
  const em: Vec3 = [-80, 10, -60];
  const rEm = 20;
  const img = p.image;
  const [nx, ny, nz] = img.dims;
  let emVox = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const w = [
          img.origin[0] + x * img.spacing[0],
          img.origin[1] + y * img.spacing[1],
          img.origin[2] + z * img.spacing[2],
        ];
        if ((w[0]! - em[0]) ** 2 + (w[1]! - em[1]) ** 2 + (w[2]! - em[2]) ** 2 <= rEm * rEm) {
          const i = x + nx * (y + ny * z);
          img.data[i] = -985 + Math.round((img.data[i]! + 850) * 0.3);
          emVox++;
        }
      }
  const vox = (img.spacing[0] * img.spacing[1] * img.spacing[2]) / 1000;
  const r = await quantifyLungOpacity(img);
  const r0 = await quantifyLungOpacity(q.image);
  const gg = p.truth.nodules.filter((n) => n.type === 'ground-glass').reduce((a, n) => a + n.volumeMm3, 0) / 1000;
  const solid = p.truth.nodules.filter((n) => n.type === 'solid').reduce((a, n) => a + n.volumeMm3, 0) / 1000;
  const cons = solid + p.truth.tumor!.volumeMm3 / 1000;
  let lungTruth = 0;
  for (const v of p.truth.lungMask.data) lungTruth += v;
  line(['band', 'with lesions mL', 'without mL', 'difference mL', 'truth mL', 'error %']);
  line(['---', '---', '---', '---', '---', '---']);
  const row = (name: string, key: string, t: number): void => {
    const m = r.lungs.total.bands[key]!.volumeMl;
    const m0 = r0.lungs.total.bands[key]!.volumeMl;
    line([name, f(m), f(m0), f(m - m0), f(t), f((100 * (m - m0 - t)) / t, 1)]);
  };
  line([
    'lung volume',
    f(r.lungs.total.volumeMl),
    '',
    '',
    f(lungTruth * vox),
    f((100 * (r.lungs.total.volumeMl - lungTruth * vox)) / (lungTruth * vox), 1),
  ]);
  row('emphysema (< -950)', 'emphysema', emVox * vox);
  row('ground-glass (-700..-300)', 'groundGlass', gg);
  row('consolidation (-300..100)', 'consolidation', cons);
}

// ---------------------------------------------------------------- real CT
const chestDir = join(DATA, 'dicom/ct_chest_LungPETCTDx_A0001_kernelB');
if (!existsSync(chestDir)) {
  console.log(`\n(real-data checks skipped: ${DATA} not found)`);
} else {
  console.log('\n## Real chest CT (TCIA Lung-PET-CT-Dx A0001, 5 mm, kernel B)\n');
  const ct = await readDicomSeries(chestDir);
  const lungs = await segmentLungs(ct);
  console.log(
    `- lung volume ${f(lungs.lungVolumeMl / 1000)} L (right ${f(lungs.rightVolumeMl / 1000)}, left ${f(lungs.leftVolumeMl / 1000)}; goal 3–8 L)`,
  );
  const ref = JSON.parse(readFileSync(join(chestDir, 'reference.json'), 'utf8')) as {
    tumor_annotations: {
      InstanceNumber: number;
      bbox_pixels_xmin_ymin_xmax_ymax: number[];
      bbox_corner_min_LPS_mm: Vec3;
      bbox_corner_max_LPS_mm: Vec3;
    }[];
  };
  const anns = ref.tumor_annotations.sort((a, b) => a.InstanceNumber - b.InstanceNumber);
  const lo = [0, 1, 2].map((a) => Math.min(...anns.map((b) => b.bbox_corner_min_LPS_mm[a]!)));
  const hi = [0, 1, 2].map((a) => Math.max(...anns.map((b) => b.bbox_corner_max_LPS_mm[a]!)));
  const t = performance.now();
  const det = await detectNodules(ct);
  const inBox = (c: Vec3): boolean => c.every((v, a) => v >= lo[a]! - 5 && v <= hi[a]! + 5);
  const hit = det.nodules.find((n) => inBox(n.centerMm));
  console.log(
    `- detectNodules (default options, ${f((performance.now() - t) / 1000, 1)} s): ${det.nodules.length} finding(s); ` +
      (hit
        ? `tumour found: long axis ${hit.longAxisMm} mm, mean diameter ${hit.diameterMm} mm, ${hit.type}, p = ${hit.probability}, Lung-RADS ${hit.lungRads}`
        : 'tumour NOT found'),
  );
  const a0 = anns.find((a) => a.InstanceNumber === 18)!;
  // bounds from the expert boxes alone: stack of inscribed ellipses (volume), longest box side (RECIST)
  let boxMl = 0;
  let side = 0;
  for (const a of anns) {
    const [x0, y0, x1, y1] = a.bbox_pixels_xmin_ymin_xmax_ymax as [number, number, number, number];
    const w = (x1 - x0 + 1) * ct.spacing[0];
    const h = (y1 - y0 + 1) * ct.spacing[1];
    boxMl += (w * h * ct.spacing[2]) / 1000;
    side = Math.max(side, w, h);
  }
  console.log(
    `- expert boxes: stack of boxes ${f(boxMl, 1)} mL, of inscribed ellipses ${f((Math.PI / 4) * boxMl, 1)} mL (volume bound); longest box side ${f(side, 1)} mm (RECIST bound)`,
  );
  const centre = [0, 1, 2].map((i) => (a0.bbox_corner_min_LPS_mm[i]! + a0.bbox_corner_max_LPS_mm[i]!) / 2) as Vec3;
  const segs: { mode: string; mask: Volume<Uint8Array> }[] = [];
  for (const mode of ['seed', 'box'] as const) {
    const t2 = performance.now();
    const seg = await segmentTumor(
      ct,
      mode === 'seed' ? { seed: centre } : { box: { min: a0.bbox_corner_min_LPS_mm, max: a0.bbox_corner_max_LPS_mm } },
    );
    const L = seg.lesions[0]!;
    const st = seg.provenance.settings as { coreRadiusMm: number; leakCutRadiusMm: number };
    console.log(
      `- segmentTumor from the ${mode === 'seed' ? 'centre of the expert box' : 'expert box'} on instance 18 (${f((performance.now() - t2) / 1000, 1)} s): ${f(L.volumeMl, 1)} mL, RECIST ${L.longAxisMm} x ${L.shortAxisMm} mm, mean ${L.meanHU} HU (core radius ${st.coreRadiusMm} mm, leak cut ${st.leakCutRadiusMm} mm)`,
    );
    segs.push({ mode, mask: seg.mask });
  }
  console.log('');
  line(['instance', 'z mm', 'expert box (px)', ...segs.flatMap((s) => [`${s.mode}: mask box (px)`, 'IoU'])]);
  line(['---', '---', '---', ...segs.flatMap(() => ['---', '---'])]);
  const ious: number[][] = segs.map(() => []);
  for (const a of anns) {
    const k = Math.round(worldToIndex(ct, a.bbox_corner_min_LPS_mm)[2]);
    const [bx0, by0, bx1, by1] = a.bbox_pixels_xmin_ymin_xmax_ymax as [number, number, number, number];
    const cells: (string | number)[] = [a.InstanceNumber, a.bbox_corner_min_LPS_mm[2], [bx0, by0, bx1, by1].join(',')];
    segs.forEach((sg, si) => {
      const b = sliceBoundingBox(sg.mask, k)?.box;
      const iou = b ? pixelBoxIoU(b, [bx0, by0, bx1, by1]) : 0;
      if (a.InstanceNumber !== 18) ious[si]!.push(iou);
      cells.push(b ? b.join(',') : '-', f(iou, 3));
    });
    line(cells);
  }
  console.log('');
  segs.forEach((sg, si) => {
    const v = ious[si]!;
    console.log(
      `${sg.mode}: IoU on the 8 other slices mean ${f(v.reduce((x, y) => x + y, 0) / v.length, 3)}, min ${f(Math.min(...v), 3)}, ` +
        `${v.filter((x) => x >= 0.6).length}/8 >= 0.6`,
    );
  });
  const tb = performance.now();
  const bone = await measureBoneDensity(ct);
  const bv = bone.vertebrae;
  const gaps = bv.slice(1).map((v, j) => bv[j]!.centerMm[2] - v.centerMm[2]);
  console.log(
    `- measureBoneDensity (thoracic spine, ${f((performance.now() - tb) / 1000, 1)} s): ${bv.length} vertebral bodies, ` +
      `mean HU ${bv.map((v) => f(v.meanHU, 0)).join(', ')}; z spacing ${f(Math.min(...gaps))}–${f(Math.max(...gaps))} mm; ` +
      `confidence ${bv.map((v) => v.quality?.confidence ?? '-').join(', ')}; canal found ${bv.filter((v) => v.quality?.canalFound).length}/${bv.length}, shell closed ${bv.filter((v) => v.quality?.shellClosed).length}/${bv.length}, ` +
      `largest curve deviation ${f(Math.max(...bv.map((v) => v.quality?.curveDeviationMm ?? 0)))} mm; ` +
      `warnings: ${bone.provenance.warnings.join(' ') || 'none'}`,
  );
  const op = await quantifyLungOpacity(ct, { lungs });
  const b = op.lungs.total.bands;
  console.log(
    `- quantifyLungOpacity: emphysema ${f(b.emphysema!.percent)} %, ground-glass ${f(b.groundGlass!.percent)} %, consolidation ${f(b.consolidation!.percent)} %`,
  );
  const abdDir = join(DATA, 'dicom/ct_abdomen_dcmqi_3slice');
  const abd = await readDicomSeries(abdDir);
  const spine = await readNrrd(join(DATA, 'seg/dcmqi_on_ct_abdomen_3slice/spine_seg.nrrd'));
  const ab = await measureBoneDensity(abd, { returnRoiMasks: true });
  for (const v of ab.vertebrae) {
    const { inside, total } = roiInside(v.roiMask!, spine);
    console.log(
      `- abdomen (3 slices): vertebral ROI mean ${v.meanHU} HU (SD ${v.sdHU}), ${inside}/${total} ROI voxels inside the vertebra mask; confidence ${v.quality?.confidence} (${v.quality?.reasons.join('; ')})`,
    );
  }
}
console.log(`\n(total ${f((performance.now() - t0) / 1000, 0)} s)`);

function roiInside(roi: Volume<Uint8Array>, ref: Volume): { inside: number; total: number } {
  const [nx, ny] = roi.dims;
  let inside = 0;
  let total = 0;
  for (let i = 0; i < roi.data.length; i++) {
    if (!roi.data[i]) continue;
    total++;
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / (nx * ny));
    const w = [
      roi.origin[0] + x * roi.spacing[0],
      roi.origin[1] + y * roi.spacing[1],
      roi.origin[2] + z * roi.spacing[2],
    ];
    const q = worldToIndex(ref, w).map(Math.round);
    if (q.every((v, a) => v >= 0 && v < ref.dims[a]!) && ref.data[q[0]! + ref.dims[0] * (q[1]! + ref.dims[1] * q[2]!)])
      inside++;
  }
  return { inside, total };
}
