// detectNodules at default options on the two real chest CTs with a solid lesion of known size
// implanted in the lung opposite the primary tumour: 8 to 95 mm, deep in the lung and against the
// chest wall (a large mass fills the lung and meets the chest wall and mediastinum, as the 94 mm
// mass of the unseen case in issue 12 did). Is each reported, and as a mass from 30 mm? Is the
// primary still reported and the exam never negative? Nothing is fitted here: the implant's values
// (35 HU, texture 15 HU, 1.5 mm edge) are those of a solid tumour, not tuned to the detector.
// Run: npx tsx bench/nodule-implants.ts [case-substring] [diameters...]
import { distanceTransform } from '../src/core/ops/distance.js';
import { indexToWorld } from '../src/core/geometry.js';
import { readDicomSeries } from '../src/index.js';
import { detectNodules, segmentLungs } from '../src/tasks/index.js';
import { annotatedTumourBox, findInBox } from '../test/helpers/chest-ct-truth.js';
import { dataPath } from '../test/helpers/data.js';
import { implantSphere } from '../test/helpers/implant.js';

const only = process.argv[2] && !/^\d/.test(process.argv[2]) ? process.argv[2] : '';
const sizes = process.argv.slice(only ? 3 : 2).map(Number);
const diameters = sizes.length ? sizes : [8, 12, 20, 30, 45, 60, 80, 95];
const cases = ['ct_chest_LungPETCTDx_A0001_kernelB', 'ct_chest_LungPETCTDx_A0002_B40f'].filter((c) => c.includes(only));
for (const name of cases) {
  const dir = dataPath('dicom', name);
  const ct = await readDicomSeries(dir);
  const box = annotatedTumourBox(dir, ct);
  const boxCentre = box.lo.map((l, a) => (l + box.hi[a]!) / 2);
  const lungs = await segmentLungs(ct);
  // the lung whose centroid is farther from the primary tumour
  const [nx, ny] = ct.dims;
  const sums = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  lungs.lungLabels.data.forEach((l, p) => {
    if (l !== 1 && l !== 2) return;
    const w = indexToWorld(ct, [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))]);
    const t = sums[l - 1]!;
    t[0]! += w[0];
    t[1]! += w[1];
    t[2]! += w[2];
    t[3]!++;
  });
  const mid = (sums[0]![0]! + sums[1]![0]!) / (sums[0]![3]! + sums[1]![3]!);
  const dist = sums.map((t) => Math.hypot(...[0, 1, 2].map((a) => t[a]! / t[3]! - boxCentre[a]!)));
  const label = dist[0]! > dist[1]! ? 1 : 2;
  const side = new Uint8Array(lungs.lungLabels.data.length);
  lungs.lungLabels.data.forEach((l, p) => (side[p] = l === label ? 1 : 0));
  const edt = distanceTransform({ ...ct, data: side }, { target: 'background', outsideIsTarget: true });
  // deepest point of that lung; and a point against the chest wall: the most lateral lung voxel
  // 8 mm deep on the deepest point's slice (for a juxtapleural lesion with broad pleural contact)
  let deep = 0;
  for (let p = 0; p < edt.data.length; p++) if (edt.data[p]! > edt.data[deep]!) deep = p;
  const dk = Math.floor(deep / (nx * ny));
  const dj = Math.floor(deep / nx) % ny;
  let wall = -1;
  for (let i = 0; i < nx; i++) {
    const p = i + nx * (dj + ny * dk);
    if (Math.abs(edt.data[p]! - 8) > 1.5) continue;
    const lateral = Math.abs(indexToWorld(ct, [i, dj, dk])[0] - mid);
    if (wall < 0 || lateral > Math.abs(indexToWorld(ct, [wall % nx, dj, dk])[0] - mid)) wall = p;
  }
  const at = (p: number) => indexToWorld(ct, [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))]);
  const places: [string, number[]][] = [
    [`deep (${edt.data[deep]!.toFixed(0)} mm from the lung's edge)`, at(deep)],
    ['against the chest wall', at(wall)],
  ];
  console.log(
    `${name.slice(20)}: implants in lung ${label} (${label === 1 ? 'right' : 'left'}); deep point ${at(deep)
      .map((x) => x.toFixed(0))
      .join(',')} mm, wall point ${at(wall)
      .map((x) => x.toFixed(0))
      .join(',')} mm (lung label there ${lungs.lungLabels.data[deep]}, ${lungs.lungLabels.data[wall]})`,
  );
  for (const [where, c0] of places)
    for (const d of diameters) {
      // against the wall: the sphere's lateral edge on the pleura (c0 is 8 mm inside it)
      const c = where.startsWith('against')
        ? [c0[0]! - Math.sign(c0[0]! - mid) * Math.max(0, d / 2 - 8), c0[1]!, c0[2]!]
        : c0;
      const v = implantSphere(ct, c, d);
      const c1 = process.cpuUsage();
      const r = await detectNodules(v);
      const cpu = process.cpuUsage(c1);
      const hitOf = (n: (typeof r.nodules)[number]) =>
        Math.hypot(...[0, 1, 2].map((a) => n.centerMm[a]! - c[a]!)) <= Math.max(d / 2, 5);
      const hit = r.nodules.filter(hitOf).sort((a, b) => b.probability - a.probability)[0];
      const primary = findInBox(r.nodules, box);
      // findings centred inside the implant (pieces of it, or it measured from a shifted centre)
      const inside = r.nodules.filter(
        (n) => n !== hit && Math.hypot(...[0, 1, 2].map((a) => n.centerMm[a]! - c[a]!)) <= d / 2 + 5,
      );
      const others = r.nodules.filter((n) => n !== hit && n !== primary && !inside.includes(n)).length;
      const okType = hit && (d < 30 || hit.type === 'mass');
      console.log(
        `${name.slice(20)} | ${where.padEnd(38)} | ${String(d).padStart(3)} mm | ${
          hit
            ? `HIT ${hit.type} ${hit.diameterMm.toFixed(1)} mm p=${hit.probability.toFixed(2)}${okType ? '' : ' WRONG TYPE'}`
            : 'MISS'
        }${inside.length ? ` (+${inside.map((n) => `${n.diameterMm.toFixed(0)} mm p=${n.probability.toFixed(2)}`).join(', ')} inside it)` : ''} | primary ${primary ? `p=${primary.probability.toFixed(2)}` : 'MISSED'} | other findings ${others} | exam ${
          r.lungRads ?? 'null'
        } [${r.limitations.map((l) => l.code).join(',')}] | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
      );
    }
}
