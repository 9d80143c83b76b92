import { assertArg } from '../errors.js';
import { gaussian } from '../ops/gaussian.js';
import { Rng } from '../random.js';
import type { Mask, Vec3, Volume } from '../volume.js';

/** Nodule appearance: solid, part-solid (ground-glass halo with a solid core) or ground-glass. */
export type NoduleType = 'solid' | 'part-solid' | 'ground-glass';

/** A nodule to place; omitted fields are drawn from the seeded generator. */
export interface NoduleSpec {
  /** LPS mm. Default: a random free position inside a lung (on the pleura when `juxtapleural`). */
  centerMm?: Vec3;
  /** Default: uniform 4–30 mm. */
  diameterMm?: number;
  /** Default 'solid'. */
  type?: NoduleType;
  /** Place the nodule against the chest wall. Default false. */
  juxtapleural?: boolean;
  /** Which lung, when the position is drawn. Default random. */
  lung?: 'left' | 'right';
}

/** A tumour to place: a lobulated mass. */
export interface TumorSpec {
  /** LPS mm. Default: upper left lung. */
  centerMm?: Vec3;
  /** Diameter of the main sphere in mm. Default 40. */
  diameterMm?: number;
  /** Default 35 HU. */
  hu?: number;
}

/** Options of {@link makeChestCtPhantom}. Every default gives a realistic 256×256×120 chest CT. */
export interface ChestCtPhantomOptions {
  /** Grid size. Default [256, 256, 120]. */
  dims?: Vec3;
  /** Voxel size in mm. Default [1.4, 1.4, 2.5]. */
  spacing?: Vec3;
  /** Seed of every random choice (positions, vessel paths, noise). Default 1. */
  seed?: number;
  /** Standard deviation of additive Gaussian noise in HU. Default 0 (no noise). */
  noiseSd?: number;
  /** Partial-volume blur (Gaussian sigma in mm) applied before noise. Default 0. */
  blurSigmaMm?: number;
  /** Sub-samples per voxel edge for partial-volume edges (1 = none). Default 2. */
  supersample?: number;
  /**
   * Nodules: a count to draw at random (sizes 4–30 mm, a mix of types, a quarter juxtapleural) or
   * explicit specs. Default 6.
   */
  nodules?: number | NoduleSpec[];
  /** A tumour, `true` for the default one. Default none. */
  tumor?: boolean | TumorSpec;
  /** True trabecular HU per vertebra, top to bottom (cycled). Default drawn in 60–240 HU. */
  vertebraHU?: number[];
  /** Number of pulmonary vessel trees per lung. Default 6. */
  vesselTrees?: number;
}

/** Ground truth of one nodule. */
export interface NoduleTruth {
  /** 1-based label in `noduleLabels`. */
  label: number;
  centerMm: Vec3;
  /** Voxel index of the centre (continuous). */
  centerVoxel: Vec3;
  diameterMm: number;
  /** Diameter of the solid core (part-solid: half the nodule; solid: all; ground-glass: 0). */
  solidDiameterMm: number;
  type: NoduleType;
  juxtapleural: boolean;
  lung: 'left' | 'right';
  /** Analytic sphere volume, mm³. */
  volumeMm3: number;
  /** HU of the (solid part of the) nodule. */
  hu: number;
}

/** Ground truth of one vertebra. */
export interface VertebraTruth {
  /** Anatomical label, counted up from L1 at the bottom of the field of view. */
  level: string;
  /** Centre of the trabecular core, LPS mm. */
  centerMm: Vec3;
  /** The HU set inside the trabecular core. */
  trabecularHU: number;
  /** Label of this vertebra's trabecular core in `trabecularLabels` (1-based). */
  label: number;
}

/** The phantom's exact ground truth. */
export interface ChestCtPhantomTruth {
  /** 1 = right lung, 2 = left lung (airways excluded; nodules, vessels and tumour inside included). */
  lungLabels: Volume<Uint8Array>;
  /** Union of both lungs. */
  lungMask: Mask;
  /** Body outline (everything that is not outside air). */
  bodyMask: Mask;
  /** Trachea and main bronchi lumen. */
  airwayMask: Mask;
  nodules: NoduleTruth[];
  /** Voxel label i+1 for nodule i (voxels at least half inside it). */
  noduleLabels: Volume<Uint8Array>;
  vertebrae: VertebraTruth[];
  /** Voxels wholly inside each trabecular core (and not in the basivertebral vein): label = vertebra label. */
  trabecularLabels: Volume<Uint8Array>;
  /** Vertebral bodies including cortex (label = vertebra label). */
  vertebralBodyLabels: Volume<Uint8Array>;
  tumor?: { centerMm: Vec3; mask: Mask; volumeMm3: number; hu: number };
  /** HU of the tissue classes used. */
  hu: Record<'air' | 'lung' | 'fat' | 'muscle' | 'soft' | 'blood' | 'cortical' | 'solidNodule' | 'groundGlass', number>;
}

/** A synthetic chest CT and its ground truth. */
export interface ChestCtPhantom {
  /** CT in HU, Int16, LPS, axis-aligned. */
  image: Volume<Int16Array>;
  truth: ChestCtPhantomTruth;
}

const HU = {
  air: -1000,
  lung: -850,
  fat: -100,
  muscle: 50,
  soft: 40,
  blood: 40,
  cortical: 800,
  solidNodule: 30,
  groundGlass: -600,
  csf: 15,
  posteriorBone: 500,
  disc: 90,
  vein: 45,
};

type Inside = (x: number, y: number, z: number) => boolean;
interface Shape {
  min: Vec3;
  max: Vec3;
  inside: Inside;
}

/** Anatomy constants in mm, relative to the grid centre (L+, P+, S+). */
const BODY = { a: 165, b: 115 };
const LUNG = { a: 55, b: 80, c: 150, cx: 78, cy: 5, cz: 15, diaphragmZ: -120 };
const SPINE = { cy: 52, ax: 20, ay: 16, cortex: 2.5, pitch: 30, height: 24 };

/**
 * Builds a synthetic chest CT in HU with exact ground truth: body outline, fat, muscle, both lungs
 * with vessels, trachea and main bronchi, a spine of vertebral bodies (cortical shell, trabecular
 * core at a set HU per vertebra, basivertebral vein, spinal canal), nodules (solid, part-solid,
 * ground-glass, juxtapleural) and an optional tumour. The same options and seed give the same
 * phantom on every platform.
 */
export function makeChestCtPhantom(options: ChestCtPhantomOptions = {}): ChestCtPhantom {
  const dims: Vec3 = options.dims ? [...options.dims] : [256, 256, 120];
  const spacing: Vec3 = options.spacing ? [...options.spacing] : [1.4, 1.4, 2.5];
  assertArg(
    dims.every((d) => Number.isInteger(d) && d > 0 && d <= 2048),
    'dims must be positive integers <= 2048.',
  );
  assertArg(
    spacing.every((s) => Number.isFinite(s) && s > 0),
    'spacing must be positive.',
  );
  const ss = Math.max(1, Math.round(options.supersample ?? 2));
  const noiseSd = options.noiseSd ?? 0;
  const blur = options.blurSigmaMm ?? 0;
  assertArg(noiseSd >= 0 && blur >= 0, 'noiseSd and blurSigmaMm must be >= 0.');
  const rng = new Rng(options.seed ?? 1);

  // Centre the grid on the world origin.
  const origin: Vec3 = [0, 1, 2].map((a) => (-(dims[a]! - 1) / 2) * spacing[a]!) as Vec3;
  const n = dims[0] * dims[1] * dims[2];
  const geo = { dims, spacing, origin, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const mk = (): Volume<Uint8Array> => ({ ...structuredClone(geo), data: new Uint8Array(n) });

  const hu = new Float32Array(n).fill(HU.air);
  const lungLabels = mk();
  const bodyMask = mk();
  const airwayMask = mk();
  const noduleLabels = mk();
  const trabecularLabels = mk();
  const vertebralBodyLabels = mk();

  // Sub-sample offsets within a voxel, in voxel units.
  const offs: number[] = [];
  for (let i = 0; i < ss; i++) offs.push((i + 0.5) / ss - 0.5);
  const nsub = ss * ss * ss;

  /**
   * Paints a shape: each voxel's value moves toward `value` by the fraction of its sub-samples
   * inside. `onCoverage` sees each touched voxel's index and fraction, for ground-truth labels.
   */
  const paint = (shape: Shape, value: number | null, onCoverage?: (idx: number, f: number) => void): void => {
    const lo = [0, 1, 2].map((a) => Math.max(0, Math.floor((shape.min[a]! - origin[a]!) / spacing[a]!) - 1));
    const hi = [0, 1, 2].map((a) => Math.min(dims[a]! - 1, Math.ceil((shape.max[a]! - origin[a]!) / spacing[a]!) + 1));
    for (let k = lo[2]!; k <= hi[2]!; k++) {
      for (let j = lo[1]!; j <= hi[1]!; j++) {
        for (let i = lo[0]!; i <= hi[0]!; i++) {
          let cnt = 0;
          for (const dz of offs) {
            const z = origin[2] + (k + dz) * spacing[2];
            for (const dy of offs) {
              const y = origin[1] + (j + dy) * spacing[1];
              for (const dx of offs) {
                if (shape.inside(origin[0] + (i + dx) * spacing[0], y, z)) cnt++;
              }
            }
          }
          if (cnt === 0) continue;
          const f = cnt / nsub;
          const idx = i + dims[0] * (j + dims[1] * k);
          if (value !== null) hu[idx] = hu[idx]! * (1 - f) + value * f;
          onCoverage?.(idx, f);
        }
      }
    }
  };

  const zMin = origin[2];
  const zMax = origin[2] + (dims[2] - 1) * spacing[2];
  const ellCyl = (a: number, b: number, cx = 0, cy = 0, z0 = zMin - 5, z1 = zMax + 5): Shape => ({
    min: [cx - a, cy - b, z0],
    max: [cx + a, cy + b, z1],
    inside: (x, y, z) => z >= z0 && z <= z1 && ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1,
  });

  // Body: fat, then muscle, then soft tissue (mediastinum, abdomen).
  paint(ellCyl(BODY.a, BODY.b), HU.fat, (i, f) => {
    if (f >= 0.5) bodyMask.data[i] = 1;
  });
  paint(ellCyl(BODY.a - 14, BODY.b - 14), HU.muscle);
  paint(ellCyl(BODY.a - 26, BODY.b - 24), HU.soft);

  // Lungs: ellipsoids cut by the diaphragm; 1 = right (patient right is -x in LPS), 2 = left.
  const lungInside = (side: 1 | 2): Inside => {
    const cx = side === 1 ? -LUNG.cx : LUNG.cx;
    return (x, y, z) =>
      z >= LUNG.diaphragmZ &&
      ((x - cx) / LUNG.a) ** 2 + ((y - LUNG.cy) / LUNG.b) ** 2 + ((z - LUNG.cz) / LUNG.c) ** 2 <= 1;
  };
  for (const side of [1, 2] as const) {
    const cx = side === 1 ? -LUNG.cx : LUNG.cx;
    paint(
      {
        min: [cx - LUNG.a, LUNG.cy - LUNG.b, LUNG.diaphragmZ],
        max: [cx + LUNG.a, LUNG.cy + LUNG.b, LUNG.cz + LUNG.c],
        inside: lungInside(side),
      },
      HU.lung,
      (i, f) => {
        if (f >= 0.5) lungLabels.data[i] = side;
      },
    );
  }
  const inLung = (p: Vec3, side: 1 | 2, margin: number): boolean => {
    // inside with a margin: test the point and 14 points on a sphere of radius `margin`
    const f = lungInside(side);
    if (!f(p[0], p[1], p[2])) return false;
    for (const d of SPHERE_DIRS) {
      if (!f(p[0] + d[0] * margin, p[1] + d[1] * margin, p[2] + d[2] * margin)) return false;
    }
    return true;
  };

  // Pulmonary vessels: random branching trees of capsules from each hilum, clipped to the lung.
  const vesselTrees = options.vesselTrees ?? 6;
  for (const side of [1, 2] as const) {
    const sx = side === 1 ? -1 : 1;
    const hilum: Vec3 = [sx * 38, LUNG.cy, 20];
    const lf = lungInside(side);
    for (let t = 0; t < vesselTrees; t++) {
      const theta = rng.uniform(-1.2, 1.2);
      const phi = rng.uniform(-1.1, 1.1);
      const dir: Vec3 = [sx * Math.cos(phi) * Math.cos(theta), Math.cos(phi) * Math.sin(theta), Math.sin(phi)];
      growVessel(hilum, dir, 4, 3, rng, (a, b, r) => {
        const cap = capsule(a, b, r);
        paint({ min: cap.min, max: cap.max, inside: (x, y, z) => lf(x, y, z) && cap.inside(x, y, z) }, HU.blood);
      });
    }
  }

  // Airways: trachea down to the carina, then main bronchi into each hilum.
  const carina: Vec3 = [0, -15, 55];
  const airways: Shape[] = [
    capsule([0, -15, zMax + 10], carina, 9),
    capsule(carina, [-34, LUNG.cy - 5, 35], 6),
    capsule(carina, [34, LUNG.cy - 5, 35], 6),
  ];
  for (const s of airways) {
    paint(s, HU.air, (i, f) => {
      if (f >= 0.5) {
        airwayMask.data[i] = 1;
        lungLabels.data[i] = 0;
      }
    });
  }
  const nearAirway = (p: Vec3, r: number): boolean =>
    airways.some((s) => s.inside(p[0], p[1], p[2])) ||
    SPHERE_DIRS.some((d) =>
      airways.some((s) => s.inside(p[0] + d[0] * (r + 8), p[1] + d[1] * (r + 8), p[2] + d[2] * (r + 8))),
    );

  // Tumour before nodules, so nodules avoid it.
  let tumor: ChestCtPhantomTruth['tumor'];
  const placed: { c: Vec3; r: number }[] = [];
  if (options.tumor) {
    const spec: TumorSpec = options.tumor === true ? {} : options.tumor;
    const d = spec.diameterMm ?? 40;
    const c: Vec3 = spec.centerMm ? [...spec.centerMm] : [LUNG.cx - 5, LUNG.cy - 25, 70];
    const tHU = spec.hu ?? 35;
    const lobes: { c: Vec3; r: number }[] = [{ c, r: d / 2 }];
    for (let l = 0; l < 4; l++) {
      const u = randomUnit(rng);
      lobes.push({
        c: [c[0] + u[0] * d * 0.3, c[1] + u[1] * d * 0.3, c[2] + u[2] * d * 0.3],
        r: d * rng.uniform(0.2, 0.3),
      });
    }
    const mask = mk();
    const ext = d * 0.6 + 2;
    paint(
      {
        min: [c[0] - ext, c[1] - ext, c[2] - ext],
        max: [c[0] + ext, c[1] + ext, c[2] + ext],
        inside: (x, y, z) => lobes.some((b) => (x - b.c[0]) ** 2 + (y - b.c[1]) ** 2 + (z - b.c[2]) ** 2 <= b.r * b.r),
      },
      tHU,
      (i, f) => {
        if (f >= 0.5) {
          mask.data[i] = 1;
          if (lungLabels.data[i] === 0 && airwayMask.data[i] === 0 && insideLungHull(i))
            lungLabels.data[i] = c[0] < 0 ? 1 : 2;
        }
      },
    );
    let count = 0;
    for (let i = 0; i < n; i++) count += mask.data[i]!;
    tumor = { centerMm: c, mask, volumeMm3: count * spacing[0] * spacing[1] * spacing[2], hu: tHU };
    placed.push({ c, r: d * 0.6 });
  }
  function insideLungHull(idx: number): boolean {
    const i = idx % dims[0];
    const j = Math.floor(idx / dims[0]) % dims[1];
    const k = Math.floor(idx / (dims[0] * dims[1]));
    const p: Vec3 = [origin[0] + i * spacing[0], origin[1] + j * spacing[1], origin[2] + k * spacing[2]];
    const near = (side: 1 | 2): boolean => {
      const cx = side === 1 ? -LUNG.cx : LUNG.cx;
      return ((p[0] - cx) / LUNG.a) ** 2 + ((p[1] - LUNG.cy) / LUNG.b) ** 2 + ((p[2] - LUNG.cz) / LUNG.c) ** 2 <= 1.3;
    };
    return near(1) || near(2);
  }

  // Nodules.
  const specs: NoduleSpec[] =
    typeof options.nodules === 'number' || options.nodules === undefined
      ? defaultNoduleSpecs(options.nodules ?? 6, rng)
      : options.nodules;
  const nodules: NoduleTruth[] = [];
  for (const spec of specs) {
    if (nodules.length >= 255) break;
    const d = spec.diameterMm ?? rng.uniform(4, 30);
    assertArg(Number.isFinite(d) && d > 0 && d < 120, 'Nodule diameters must be in (0, 120) mm.');
    const r = d / 2;
    const type = spec.type ?? 'solid';
    const jp = spec.juxtapleural ?? false;
    let c: Vec3 | undefined = spec.centerMm ? [...spec.centerMm] : undefined;
    let side: 1 | 2 = spec.lung === 'right' ? 1 : spec.lung === 'left' ? 2 : rng.next() < 0.5 ? 1 : 2;
    if (c) {
      side = c[0] < 0 ? 1 : 2;
    } else {
      for (let attempt = 0; attempt < 2000 && !c; attempt++) {
        if (attempt % 50 === 49) side = side === 1 ? 2 : 1;
        const cand = jp ? pleuralPoint(side, r, rng) : randomLungPoint(side, rng);
        if (!jp && !inLung(cand, side, r + 3)) continue;
        if (jp && !lungInside(side)(cand[0], cand[1], cand[2])) continue;
        if (cand[2] - r < LUNG.diaphragmZ + 5 || cand[2] + r > zMax - 3 || cand[2] - r < zMin + 3) continue;
        if (nearAirway(cand, r)) continue;
        if (placed.some((q) => dist(q.c, cand) < q.r + r + 12)) continue;
        c = cand;
      }
      if (!c) continue; // no room left: the truth lists only nodules actually placed
    }
    const label = nodules.length + 1;
    const solidR = type === 'solid' ? r : type === 'part-solid' ? r / 2 : 0;
    const outerHU = type === 'solid' ? HU.solidNodule : HU.groundGlass;
    const cc = c;
    const sph = (rad: number): Shape => ({
      min: [cc[0] - rad, cc[1] - rad, cc[2] - rad],
      max: [cc[0] + rad, cc[1] + rad, cc[2] + rad],
      inside: (x, y, z) => (x - cc[0]) ** 2 + (y - cc[1]) ** 2 + (z - cc[2]) ** 2 <= rad * rad,
    });
    paint(sph(r), outerHU, (i, f) => {
      if (f >= 0.5) {
        noduleLabels.data[i] = label;
        if (bodyMask.data[i] && !airwayMask.data[i]) lungLabels.data[i] = side;
      }
    });
    if (type === 'part-solid') paint(sph(solidR), HU.solidNodule);
    placed.push({ c: cc, r });
    nodules.push({
      label,
      centerMm: cc,
      centerVoxel: [0, 1, 2].map((a) => (cc[a]! - origin[a]!) / spacing[a]!) as Vec3,
      diameterMm: d,
      solidDiameterMm: 2 * solidR,
      type,
      juxtapleural: jp,
      lung: side === 1 ? 'right' : 'left',
      volumeMm3: (4 / 3) * Math.PI * r * r * r,
      hu: type === 'ground-glass' ? HU.groundGlass : HU.solidNodule,
    });
  }

  // Spine: vertebral bodies with discs between them, spinal canal and posterior arch behind.
  const vertebrae: VertebraTruth[] = [];
  const levels: number[] = [];
  for (let zc = zMax - SPINE.pitch / 2; zc - SPINE.height / 2 >= zMin - SPINE.pitch; zc -= SPINE.pitch) levels.push(zc);
  const huList = options.vertebraHU;
  const drawnHU = levels.map(() => Math.round(rng.uniform(60, 240)));
  paint(ellCyl(SPINE.ax, SPINE.ay, 0, SPINE.cy), HU.disc); // discs fill the column between bodies
  const canalY = SPINE.cy + SPINE.ay + 9;
  paint(ellCyl(14, 13, 0, canalY), HU.posteriorBone);
  paint(ellCyl(8, 8, 0, canalY), HU.csf);
  paint(
    {
      min: [-4, canalY + 12, zMin - 5],
      max: [4, canalY + 30, zMax + 5],
      inside: (x, y) => Math.abs(x) <= 4 && y >= canalY + 12 && y <= canalY + 30,
    },
    HU.posteriorBone,
  );
  const names = vertebraNames(levels.length);
  levels.forEach((zc, li) => {
    const label = li + 1;
    const tHU = huList && huList.length > 0 ? huList[li % huList.length]! : drawnHU[li]!;
    const z0 = zc - SPINE.height / 2;
    const z1 = zc + SPINE.height / 2;
    const cort = SPINE.cortex;
    paint(ellCyl(SPINE.ax, SPINE.ay, 0, SPINE.cy, z0, z1), HU.cortical, (i, f) => {
      if (f >= 0.5) vertebralBodyLabels.data[i] = label;
    });
    paint(ellCyl(SPINE.ax - cort, SPINE.ay - cort, 0, SPINE.cy, z0 + cort, z1 - cort), tHU, (i, f) => {
      if (f === 1) trabecularLabels.data[i] = label;
    });
    // basivertebral vein: a channel entering the back of the body at mid-height
    const vein: Shape = {
      min: [-3, SPINE.cy + 4, zc - 3],
      max: [3, SPINE.cy + SPINE.ay, zc + 3],
      inside: (x, y, z) => y >= SPINE.cy + 4 && y <= SPINE.cy + SPINE.ay && x * x + (z - zc) ** 2 <= 9,
    };
    paint(vein, HU.vein, (i) => {
      trabecularLabels.data[i] = 0;
    });
    // Only vertebrae whose core lies wholly in the field of view have a usable truth.
    if (z0 + cort >= zMin && z1 - cort <= zMax) {
      vertebrae.push({ level: names[li]!, centerMm: [0, SPINE.cy, zc], trabecularHU: tHU, label });
    } else {
      for (let i = 0; i < n; i++) if (trabecularLabels.data[i] === label) trabecularLabels.data[i] = 0;
    }
  });

  // Partial-volume blur, then noise, then rounding to integer HU as a scanner stores them.
  let values: Float32Array = hu;
  if (blur > 0) values = gaussian({ ...structuredClone(geo), data: hu }, { sigmaMm: blur }).data;
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const v = noiseSd > 0 ? values[i]! + noiseSd * rng.normal() : values[i]!;
    data[i] = Math.max(-1024, Math.min(3071, Math.round(v)));
  }

  const lungMask = mk();
  for (let i = 0; i < n; i++) lungMask.data[i] = lungLabels.data[i]! > 0 ? 1 : 0;

  const image: Volume<Int16Array> = {
    ...structuredClone(geo),
    data,
    meta: { modality: 'CT', units: 'HU', source: 'phantom', seriesDescription: 'medimg synthetic chest CT phantom' },
  };
  const truth: ChestCtPhantomTruth = {
    lungLabels,
    lungMask,
    bodyMask,
    airwayMask,
    nodules,
    noduleLabels,
    vertebrae,
    trabecularLabels,
    vertebralBodyLabels,
    hu: {
      air: HU.air,
      lung: HU.lung,
      fat: HU.fat,
      muscle: HU.muscle,
      soft: HU.soft,
      blood: HU.blood,
      cortical: HU.cortical,
      solidNodule: HU.solidNodule,
      groundGlass: HU.groundGlass,
    },
  };
  if (tumor) truth.tumor = tumor;
  return { image, truth };
}

/** 14 unit directions: the 6 axes and 8 diagonals. */
const SPHERE_DIRS: Vec3[] = (() => {
  const d: Vec3[] = [
    [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1],
  ]; // biome-ignore format: table
  const s = 1 / Math.sqrt(3);
  for (const a of [-s, s]) for (const b of [-s, s]) for (const c of [-s, s]) d.push([a, b, c]);
  return d;
})();

function dist(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function randomUnit(rng: Rng): Vec3 {
  const v: Vec3 = [rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(...v) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

function capsule(a: Vec3, b: Vec3, r: number): Shape {
  const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2 || 1;
  return {
    min: [Math.min(a[0], b[0]) - r, Math.min(a[1], b[1]) - r, Math.min(a[2], b[2]) - r],
    max: [Math.max(a[0], b[0]) + r, Math.max(a[1], b[1]) + r, Math.max(a[2], b[2]) + r],
    inside: (x, y, z) => {
      let t = ((x - a[0]) * ab[0] + (y - a[1]) * ab[1] + (z - a[2]) * ab[2]) / len2;
      t = t < 0 ? 0 : Math.min(t, 1);
      const dx = x - a[0] - t * ab[0];
      const dy = y - a[1] - t * ab[1];
      const dz = z - a[2] - t * ab[2];
      return dx * dx + dy * dy + dz * dz <= r * r;
    },
  };
}

/** Grows a vessel: a segment, then two thinner children at an angle, until the radius is < 0.8 mm. */
function growVessel(
  start: Vec3,
  dir: Vec3,
  radius: number,
  depth: number,
  rng: Rng,
  draw: (a: Vec3, b: Vec3, r: number) => void,
): void {
  const len = radius * rng.uniform(7, 11);
  const end: Vec3 = [start[0] + dir[0] * len, start[1] + dir[1] * len, start[2] + dir[2] * len];
  draw(start, end, radius);
  if (depth <= 0 || radius * 0.7 < 0.8) return;
  for (let c = 0; c < 2; c++) {
    const u = randomUnit(rng);
    const nd: Vec3 = [dir[0] + 0.6 * u[0], dir[1] + 0.6 * u[1], dir[2] + 0.6 * u[2]];
    const nn = Math.hypot(...nd) || 1;
    growVessel(end, [nd[0] / nn, nd[1] / nn, nd[2] / nn], radius * 0.7, depth - 1, rng, draw);
  }
}

function randomLungPoint(side: 1 | 2, rng: Rng): Vec3 {
  const cx = side === 1 ? -LUNG.cx : LUNG.cx;
  return [
    cx + rng.uniform(-LUNG.a, LUNG.a),
    LUNG.cy + rng.uniform(-LUNG.b, LUNG.b),
    rng.uniform(LUNG.diaphragmZ, LUNG.cz + LUNG.c),
  ];
}

/** A centre `0.4 r` inside the lateral, anterior or posterior pleura, so the nodule touches the wall. */
function pleuralPoint(side: 1 | 2, r: number, rng: Rng): Vec3 {
  const cx = side === 1 ? -LUNG.cx : LUNG.cx;
  const sx = side === 1 ? -1 : 1;
  const ang = rng.uniform(-2.2, 2.2); // around the outer (lateral) side
  const z = rng.uniform(LUNG.diaphragmZ + 20, LUNG.cz + LUNG.c * 0.6);
  const zs = Math.sqrt(Math.max(0, 1 - ((z - LUNG.cz) / LUNG.c) ** 2));
  const ux = sx * Math.cos(ang);
  const uy = Math.sin(ang);
  // surface point of the ellipse cross-section in direction (ux, uy)
  const t = zs / Math.sqrt((ux / LUNG.a) ** 2 + (uy / LUNG.b) ** 2);
  const back = 0.4 * r;
  return [cx + ux * (t - back), LUNG.cy + uy * (t - back), z];
}

function defaultNoduleSpecs(count: number, rng: Rng): NoduleSpec[] {
  const types: NoduleType[] = ['solid', 'solid', 'part-solid', 'ground-glass'];
  const out: NoduleSpec[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ diameterMm: rng.uniform(4, 30), type: types[i % types.length]!, juxtapleural: i % 4 === 1 });
  }
  return out;
}

/** Names of `n` vertebrae top to bottom, the lowest being L1. */
function vertebraNames(n: number): string[] {
  const all = ['C7', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'T10', 'T11', 'T12', 'L1'];
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const idx = all.length - n + i;
    names.push(idx >= 0 ? all[idx]! : `V${i + 1}`);
  }
  return names;
}
