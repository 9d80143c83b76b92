import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { createVolume, froc, isMedImgError, makeChestCtPhantom, type Vec3, type Volume } from '../../src/core/index.js';
import { readDicomSeries } from '../../src/io/index.js';
import {
  type DetectNodulesOptions,
  detectNodules,
  examLungRads,
  lungRadsCategory,
  type NoduleResult,
  segmentLungs,
} from '../../src/tasks/index.js';
import { cropInPlane, cropSlices, resliceThick, smoothKernel } from '../helpers/ct-variants.js';
import { detectBlobs, type LungCrop, poolCrop } from '../../src/tasks/detect-nodules/candidates.js';
import { Stages } from '../../src/core/progress.js';
import { cropLungs, type DetectedNodule, type DetectNodulesResult } from '../../src/tasks/detect-nodules/index.js';
import { detectNodulesTask } from '../../src/tasks/detect-nodules/definition.js';
import { dataPath, describeData } from '../helpers/data.js';
import { implantSphere } from '../helpers/implant.js';
import { annotatedTumourBox, findInBox } from '../helpers/chest-ct-truth.js';

const small = { dims: [170, 120, 60] as Vec3, spacing: [2, 2, 2.5] as Vec3, blurSigmaMm: 0.6 };

describe('Lung-RADS v2022 table', () => {
  it('solid, part-solid and ground-glass cut-offs', () => {
    expect(lungRadsCategory('solid', 5.9)).toBe('2');
    expect(lungRadsCategory('solid', 5.96)).toBe('3'); // rounds to 6.0
    expect(lungRadsCategory('solid', 7.9)).toBe('3');
    expect(lungRadsCategory('solid', 8)).toBe('4A');
    expect(lungRadsCategory('solid', 14.9)).toBe('4A');
    expect(lungRadsCategory('solid', 15)).toBe('4B');
    expect(lungRadsCategory('part-solid', 5.5, 3)).toBe('2');
    expect(lungRadsCategory('part-solid', 12, 5)).toBe('3');
    expect(lungRadsCategory('part-solid', 12, 6)).toBe('4A');
    expect(lungRadsCategory('part-solid', 12, 8)).toBe('4B');
    expect(lungRadsCategory('ground-glass', 29.9)).toBe('2');
    expect(lungRadsCategory('ground-glass', 30)).toBe('3');
    expect(examLungRads([])).toBe('1');
    expect(examLungRads(['2', '4A', '3'])).toBe('4A');
  });
});

describe('detectNodules on a phantom (12 nodules incl. juxtapleural and ground-glass, noise 15 HU)', () => {
  const p = makeChestCtPhantom({ ...small, nodules: 12, noiseSd: 15, seed: 1 });
  let r: NoduleResult;
  const events: number[] = [];
  beforeAll(async () => {
    // the 150 mm phantom cuts the lungs (exam Lung-RADS 0): categories asked for anyway
    r = await detectNodules(p.image, {
      minProbability: 0,
      lungRadsOnAnyScan: true,
      onProgress: (e) => events.push(e.fraction),
    });
  }, 60000);

  it('finds >= 90 % of the nodules at <= 4 false positives per scan (LUNA16 rule)', () => {
    const types = p.truth.nodules.map((n) => n.type);
    expect(types).toContain('ground-glass');
    expect(p.truth.nodules.some((n) => n.juxtapleural)).toBe(true);
    const f = froc([{ candidates: r.nodules, lesions: p.truth.nodules }]);
    expect(f.sensitivities[5]).toBeGreaterThanOrEqual(0.9); // at 4 FP/scan
    expect(f.cpm).toBeGreaterThan(0.85);
  });

  it('measures size and type of the detected nodules', () => {
    let sizeOk = 0;
    let typeOk = 0;
    let matched = 0;
    for (const t of p.truth.nodules) {
      const best = r.nodules.find(
        (n) =>
          Math.hypot(n.centerMm[0] - t.centerMm[0], n.centerMm[1] - t.centerMm[1], n.centerMm[2] - t.centerMm[2]) <=
          t.diameterMm / 2,
      );
      if (!best) continue;
      matched++;
      if (Math.abs(best.longAxisMm - t.diameterMm) <= Math.max(3, 0.25 * t.diameterMm)) sizeOk++;
      if (best.attenuation === t.type) typeOk++;
      expect(['2', '3', '4A', '4B']).toContain(best.lungRads);
    }
    expect(sizeOk / matched).toBeGreaterThanOrEqual(0.8);
    expect(typeOk / matched).toBeGreaterThanOrEqual(0.7);
  });

  it('returns plain data with provenance and reports progress', () => {
    expect(r.lungVolumeMl).toBeGreaterThan(3000);
    expect(r.provenance.task).toBe('detectNodules');
    expect(r.provenance.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.provenance.timingsMs.total).toBeGreaterThan(0);
    expect(events.at(-1)).toBe(1);
    for (let i = 1; i < events.length; i++) expect(events[i]!).toBeGreaterThanOrEqual(events[i - 1]!);
    const n = r.nodules[0]!;
    expect(Object.keys(n)).toEqual(
      expect.arrayContaining(['centerMm', 'diameterMm', 'volumeMm3', 'type', 'probability', 'lungRads']),
    );
  });
});

describe('detectBlobs at the edge of the grid', () => {
  // A blob centred on the crop's first column, last row or first slice: the lungs run to the scan's
  // edge there (a field of view or a scan range that cuts them). Its response maximum lies on the
  // edge voxel, which is searched with itself as its neighbour beyond the edge; before, the x and y
  // edges were skipped and the blob was found one voxel in, on its flank, or not at all.
  const dims: Vec3 = [30, 30, 24];
  const blobAt = (c: Vec3): LungCrop => {
    const [nx, ny, nz] = dims;
    const data = new Float32Array(nx * ny * nz);
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, i++)
          data[i] = -850 + 850 * Math.exp(-((x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2) / (2 * 2.5 ** 2));
    return {
      data,
      hull: new Uint8Array(data.length).fill(1),
      dims,
      spacing: [1, 1, 1],
      offset: [0, 0, 0],
      parenchymaHU: -850,
    };
  };
  for (const c of [
    [15, 15, 12],
    [0, 15, 12],
    [15, 29, 12],
    [15, 15, 0],
  ] as Vec3[]) {
    it(`finds the blob centred at (${c.join(', ')}) on that voxel`, async () => {
      const found = await detectBlobs(blobAt(c), [2, 2.5, 3], 10, 0.3, 4.5, new Stages({}, [['blobs', 1]]), {
        done: 0,
        total: 3,
      });
      const best = found.reduce((a, b) => (b.response > a.response ? b : a), found[0]!);
      expect(best, 'blob missed').toBeDefined();
      expect([best.x, best.y, best.z]).toEqual(c);
      expect(best.eig[2] / best.eig[0]).toBeGreaterThan(0.8); // a ball, not its flank
    });
  }
});

describe('poolCrop (in-plane pooling for the wide blob scales)', () => {
  it('gives each pooled voxel the float32 running mean of its f x f block, and the OR of its hull', () => {
    const [nx, ny, nz] = [13, 7, 2]; // rows and columns that do not divide by f: short blocks at the ends
    const data = new Float32Array(nx * ny * nz);
    const hull = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      data[i] = Math.fround(Math.sin(i * 1.7) * 700 - 300);
      hull[i] = (i * 7) % 11 === 0 ? 1 : 0;
    }
    const crop = {
      data,
      hull,
      dims: [nx, ny, nz] as Vec3,
      spacing: [0.7, 0.7, 5] as Vec3,
      offset: [3, 4, 5] as Vec3,
      parenchymaHU: -850,
    };
    for (const f of [2, 3, 4]) {
      const p = poolCrop(crop, f);
      const [px, py] = [Math.ceil(nx / f), Math.ceil(ny / f)];
      expect(p.dims).toEqual([px, py, nz]);
      expect(p.spacing).toEqual([0.7 * f, 0.7 * f, 5]);
      for (let z = 0; z < nz; z++)
        for (let qy = 0; qy < py; qy++)
          for (let qx = 0; qx < px; qx++) {
            // the definition: a float32 sum in source order (rows, then columns), then the mean
            const sum = new Float32Array(1);
            let count = 0;
            let h = 0;
            for (let y = qy * f; y < Math.min(ny, qy * f + f); y++)
              for (let x = qx * f; x < Math.min(nx, qx * f + f); x++) {
                const i = x + nx * (y + ny * z);
                sum[0]! += data[i]!;
                count++;
                h |= hull[i]!;
              }
            sum[0]! /= count;
            const j = qx + px * (qy + py * z);
            expect(p.data[j], `f ${f} voxel ${j}`).toBe(sum[0]);
            expect(p.hull[j], `f ${f} voxel ${j}`).toBe(h);
          }
    }
    expect(poolCrop(crop, 1)).toBe(crop);
  });
});

describe('the validation adapter of detectNodules', () => {
  it("a swept run's scan-edge caveat counts only the findings at the operating threshold", () => {
    const nodule = (probability: number, atScanEdge: boolean) => ({ probability, atScanEdge }) as DetectedNodule;
    const result = (nodules: DetectedNodule[]) =>
      ({
        nodules,
        limitations: [
          { code: 'THICK_SLICES', message: 'slices of 5 mm' },
          { code: 'LESION_AT_SCAN_EDGE', message: '2 finding(s) reach the first or last slice' },
        ],
      }) as unknown as DetectNodulesResult;
    const at = detectNodulesTask.validation!.limitationsAt!;
    // the only edge finding is under the threshold: no caveat at it
    expect(at(result([nodule(0.9, false), nodule(0.02, true)]), 0.5).map((l) => l.code)).toEqual(['THICK_SLICES']);
    const kept = at(result([nodule(0.9, true), nodule(0.02, true)]), 0.5);
    expect(kept.map((l) => l.code)).toEqual(['THICK_SLICES', 'LESION_AT_SCAN_EDGE']);
    expect(kept[1]!.message).toMatch(/^1 finding/);
  });
});

describe('cropLungs', () => {
  it('takes the parenchyma HU from a float CT whose values are all fractional (nearest HU)', () => {
    const dims: Vec3 = [12, 10, 6];
    const ct = createVolume(dims, Float32Array, { spacing: [1, 1, 2] });
    const lung = createVolume(dims, Uint8Array, { spacing: [1, 1, 2] });
    for (let z = 1; z < 5; z++)
      for (let y = 2; y < 8; y++)
        for (let x = 2; x < 10; x++) {
          const i = x + 12 * (y + 10 * z);
          lung.data[i] = 1;
          ct.data[i] = -850.37 + (i % 7) * 0.11; // -850.37 .. -849.71: none an integer, all nearest -850
        }
    const crop = cropLungs(ct, lung);
    expect(crop.parenchymaHU).toBe(-850);
    // outside the lungs the crop holds the parenchyma HU; inside, the CT clamped to [-1000, 150]
    expect(crop.data[0]).toBe(-850);
    expect(crop.hull.reduce((a, b) => a + b, 0)).toBe(4 * 6 * 8);
  });
});

describe('detectNodules and segmentLungs: bad input', () => {
  it('MR is refused with WRONG_MODALITY', async () => {
    const mr = createVolume([8, 8, 8], Int16Array, { meta: { modality: 'MR' } });
    await expect(detectNodules(mr)).rejects.toSatisfy((e) => isMedImgError(e, 'WRONG_MODALITY'));
    const noAir = createVolume([8, 8, 8], Int16Array);
    noAir.data.fill(300);
    await expect(detectNodules(noAir)).rejects.toSatisfy((e) => isMedImgError(e, 'WRONG_MODALITY'));
  });
  it('a body without lungs gives NO_LUNGS_FOUND', async () => {
    const v = createVolume([64, 64, 20], Int16Array, { spacing: [3, 3, 5] });
    v.data.fill(-1000);
    for (let z = 0; z < 20; z++)
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) if ((x - 32) ** 2 + (y - 32) ** 2 < 25 ** 2) v.data[x + 64 * (y + 64 * z)] = 40;
    await expect(segmentLungs(v)).rejects.toSatisfy((e) => isMedImgError(e, 'NO_LUNGS_FOUND'));
  });
  it('aborts with ABORTED', async () => {
    const p = makeChestCtPhantom({ dims: [96, 80, 30], spacing: [3.5, 3, 5], nodules: 2 });
    const ac = new AbortController();
    ac.abort();
    const opts: DetectNodulesOptions = { signal: ac.signal };
    await expect(detectNodules(p.image, opts)).rejects.toSatisfy((e) => isMedImgError(e, 'ABORTED'));
  });
});

describe('segmentLungs on a phantom', () => {
  it('matches the truth lungs (Dice >= 0.97 each) and removes the airways', async () => {
    const p = makeChestCtPhantom({ ...small, nodules: 6, noiseSd: 20, seed: 2 });
    const r = await segmentLungs(p.image);
    for (const side of [1, 2]) {
      let inter = 0;
      let a = 0;
      let b = 0;
      for (let i = 0; i < r.lungLabels.data.length; i++) {
        const x = r.lungLabels.data[i] === side;
        const y = p.truth.lungLabels.data[i] === side;
        if (x) a++;
        if (y) b++;
        if (x && y) inter++;
      }
      expect((2 * inter) / (a + b)).toBeGreaterThan(0.97);
    }
    let airwayInLung = 0;
    for (let i = 0; i < r.lungMask.data.length; i++)
      if (r.lungMask.data[i] && p.truth.airwayMask.data[i]) airwayInLung++;
    expect(airwayInLung).toBe(0);
  }, 30000);
});

describeData('detectNodules on the real chest CTs at default options (mass found, typed, honest scope)', () => {
  const cases = [
    // the A0001 tumour spans about 60 x 77 mm on the boxes, the A0002 one about 55 mm
    { name: 'ct_chest_LungPETCTDx_A0001_kernelB', sliceMm: 5, lung: 'left' },
    { name: 'ct_chest_LungPETCTDx_A0002_B40f', sliceMm: 8, lung: 'right' },
  ];
  for (const c of cases) {
    it(`${c.name}: the primary tumour is reported as a mass, Lung-RADS withheld for ${c.sliceMm} mm slices`, async () => {
      const dir = dataPath('dicom', c.name);
      const ct = await readDicomSeries(dir);
      const r = await detectNodules(ct);
      expect(r.lungVolumeMl).toBeGreaterThan(2500);
      expect(r.lungVolumeMl).toBeLessThan(8000);
      const box = annotatedTumourBox(dir, ct);
      const tumour = findInBox(r.nodules, box);
      expect(tumour, 'primary tumour missed').toBeDefined();
      expect(tumour!.probability).toBeGreaterThanOrEqual(0.5);
      expect(tumour!.type).toBe('mass');
      expect(tumour!.attenuation).toBe('solid');
      expect(tumour!.longAxisMm).toBeGreaterThan(40);
      expect(tumour!.lung).toBe(c.lung);
      // one finding per lesion (A0002's mass was two, centred on two lobes of it, 29 mm apart)
      expect(r.nodules.filter((n) => findInBox([n], box)).length).toBe(1);
      // few false findings: at most 2 outside the tumour box
      expect(r.nodules.length - 1).toBeLessThanOrEqual(2);
      // 5-8 mm slices are not a screening CT: no category at all, never a negative '1'
      expect(r.lungRads).toBeNull();
      expect(r.lungRadsReason).toMatch(/Lung-RADS v2022 does not apply/);
      for (const n of r.nodules) expect(n.lungRads).toBeNull();
      const codes = r.limitations.map((l) => l.code);
      expect(codes).toContain('THICK_SLICES');
      expect(codes).toContain('NOT_SCREENING_CT');
      expect(r.scan.sliceThicknessMm).toBe(c.sliceMm);
      for (const l of r.limitations) expect(l.message.length).toBeGreaterThan(10);
    }, 180000);
  }

  // other reconstructions of the same patient (not the variants the score was fitted on: those
  // were 10 mm slabs and a 1.2 mm Gaussian)
  const variants: [string, (ct: Volume) => Volume][] = [
    ['re-sliced to 8 mm slabs', (ct) => resliceThick(ct, 8)],
    ['re-sliced to 2.5 mm (interpolated)', (ct) => resliceThick(ct, 2.5)],
    ['a smooth kernel (in-plane Gaussian 1.6 mm)', (ct) => smoothKernel(ct, 1.6)],
  ];
  for (const [what, make] of variants) {
    it(`A0001 ${what}: the mass is still reported`, async () => {
      const dir = dataPath('dicom/ct_chest_LungPETCTDx_A0001_kernelB');
      const ct = make(await readDicomSeries(dir));
      const r = await detectNodules(ct);
      const tumour = findInBox(r.nodules, annotatedTumourBox(dir, ct));
      expect(tumour, 'primary tumour missed').toBeDefined();
      expect(tumour!.type).toBe('mass');
      expect(r.nodules.length - 1).toBeLessThanOrEqual(3);
      expect(r.lungRads).toBeNull();
    }, 180000);
  }

  // A scan that stops inside the mass: its response maximum lies on the edge slice, which the
  // blob search skipped (the lower half of A0002 gave the mass's flank, blobness 0.32, p 0.46, not
  // reported). Both halves of A0002 cut its mass; the finding must be there and flagged.
  for (const half of ['upper', 'lower'] as const) {
    it(`A0002 cut through its mass by the scan edge (${half} half): the mass is reported and flagged`, async () => {
      const dir = dataPath('dicom/ct_chest_LungPETCTDx_A0002_B40f');
      const full = await readDicomSeries(dir);
      const nz = full.dims[2];
      const ct = half === 'upper' ? cropSlices(full, 0, Math.ceil(nz / 2)) : cropSlices(full, Math.floor(nz / 2), nz);
      const r = await detectNodules(ct);
      const tumour = findInBox(r.nodules, annotatedTumourBox(dir, full));
      expect(tumour, 'primary tumour missed').toBeDefined();
      expect(tumour!.type).toBe('mass');
      const codes = r.limitations.map((l) => l.code);
      expect(codes).toContain('LESION_AT_SCAN_EDGE');
      expect(codes).toContain('PARTIAL_LUNG_COVERAGE');
      expect(r.lungRads).toBeNull();
      expect(r.nodules.length - 1).toBeLessThanOrEqual(2);
    }, 180000);
  }

  // A reconstruction field of 55 % of the width, centred: it cuts the body and both lungs at the
  // side. The lungs reached the image's edge, so the body's hole filling left them out: 230 mL of
  // lung (of 2922) and the mass missed, with no caveat. The cut lungs are kept now, and flagged.
  it('A0002 with a 55 % field of view that cuts the lungs at the side: lungs kept, mass reported, flagged', async () => {
    const dir = dataPath('dicom/ct_chest_LungPETCTDx_A0002_B40f');
    const full = await readDicomSeries(dir);
    const [nx, ny] = full.dims;
    const [a, b] = [Math.round(0.225 * nx), Math.round(0.775 * nx)];
    const ct = cropInPlane(full, a, b, Math.round(0.225 * ny), Math.round(0.775 * ny));
    const r = await detectNodules(ct);
    expect(r.lungVolumeMl).toBeGreaterThan(2000);
    const tumour = findInBox(r.nodules, annotatedTumourBox(dir, full));
    expect(tumour, 'primary tumour missed').toBeDefined();
    expect(tumour!.type).toBe('mass');
    const partial = r.limitations.find((l) => l.code === 'PARTIAL_LUNG_COVERAGE');
    expect(partial?.details).toMatchObject({ sideCut: true });
    expect(r.lungRads).toBeNull();
    expect(r.nodules.length - 1).toBeLessThanOrEqual(2);
  }, 180000);

  // A mass wider than twice the 30 mm search closing, against the chest wall, stays outside that
  // lung mask (the failure of the 94 mm mass in issue 12); the wide-closing pass must report it.
  // A 90 mm solid sphere in A0002's left lung, its lateral edge on the pleura at x = 101 mm
  // (bench/nodule-implants.ts places it the same way; the primary is in the right lung).
  it('A0002 with a 90 mm solid mass implanted against the left chest wall: both masses are reported', async () => {
    const dir = dataPath('dicom/ct_chest_LungPETCTDx_A0002_B40f');
    const ct = await readDicomSeries(dir);
    const centre = [56, -92, 168];
    const r = await detectNodules(implantSphere(ct, centre, 90));
    const implant = r.nodules.find((n) => Math.hypot(...centre.map((c, a) => n.centerMm[a]! - c)) < 45);
    expect(implant, 'implanted mass missed').toBeDefined();
    expect(implant!.type).toBe('mass');
    expect(implant!.lung).toBe('left');
    expect(r.nodules.filter((n) => Math.hypot(...centre.map((c, a) => n.centerMm[a]! - c)) < 45).length).toBe(1);
    // measured whole: within 15 % of the implanted 90 mm
    expect(implant!.diameterMm).toBeGreaterThan(76.5);
    expect(implant!.diameterMm).toBeLessThan(103.5);
    expect(findInBox(r.nodules, annotatedTumourBox(dir, ct)), 'primary tumour missed').toBeDefined();
    expect(r.nodules.length - 2).toBeLessThanOrEqual(2);
    expect(r.lungRads).toBeNull();
  }, 180000);
});

describe('detectNodules: Lung-RADS only where the scan supports it', () => {
  it('a thin-slice phantom gets a category; the same anatomy at 5 mm gets none, not a negative exam', async () => {
    // 320 mm of z: the whole lungs (apex to diaphragm) are in the scan
    const thin = makeChestCtPhantom({ ...small, dims: [170, 120, 128], nodules: 0, noiseSd: 15, seed: 5 });
    const a = await detectNodules(thin.image);
    expect(a.scan.sliceThicknessMm).toBe(2.5);
    expect(a.limitations).toEqual([]);
    expect(a.lungRadsReason).toBeNull();
    expect(a.lungRads).toEqual(a.nodules.length ? expect.any(String) : '1');
    const thick = makeChestCtPhantom({ ...small, dims: [170, 120, 64], spacing: [2, 2, 5], nodules: 0, seed: 5 });
    const b = await detectNodules(thick.image);
    expect(b.lungRads).toBeNull();
    expect(b.lungRadsReason).toMatch(/5 mm/);
    expect(b.limitations.find((l) => l.code === 'THICK_SLICES')!.details).toMatchObject({ sliceThicknessMm: 5 });
    // asked for anyway: categories, with the caveat still attached
    const c = await detectNodules(thick.image, { lungRadsOnAnyScan: true });
    expect(c.lungRads).not.toBeNull();
    // the 150 mm phantom cuts the lungs off: Lung-RADS 0 (incomplete), not a negative exam
    const cut = await detectNodules(makeChestCtPhantom({ ...small, nodules: 0, seed: 5 }).image);
    expect(cut.lungRads).toBe('0');
    expect(cut.lungRadsReason).toMatch(/incomplete/);
    expect(cut.limitations.map((l) => l.code)).toContain('PARTIAL_LUNG_COVERAGE');
    expect(cut.limitations.map((l) => l.code)).not.toContain('NOT_SCREENING_CT');
    expect(c.limitations.map((l) => l.code)).toContain('THICK_SLICES');
  }, 300000);
});
