// Scan-level facts that decide whether a CT task's figure is comparable to the thresholds it is
// published with: slice thickness, contrast phase (blood HU), how much of the organ was covered.
// Each returns plain numbers; the tasks turn them into `Limitation`s.
import { indexToWorld, worldToIndex } from '../../core/geometry.js';
import type { Vec3, Volume } from '../../core/volume.js';
import { addLimitation, type Limitation } from './limitations.js';

/** Blood above this (HU) means iodinated contrast: unenhanced blood is 30-60 HU, portal phase 120+. */
export const CONTRAST_BLOOD_HU = 110;

/**
 * Reconstructed slice thickness, mm: the larger of the slice spacing and the DICOM SliceThickness
 * (overlapping reconstructions are as blurred across slices as their thickness says).
 */
export function sliceThicknessMm(ct: Volume): number {
  const t = Number(ct.meta?.sliceThickness);
  return Math.max(ct.spacing[2], Number.isFinite(t) && t > 0 ? t : 0);
}

/** Adds THICK_SLICES when the slices are thicker than `maxMm` (what the method was validated on). */
export function checkSliceThickness(list: Limitation[], ct: Volume, maxMm: number, what: string): number {
  const t = sliceThicknessMm(ct);
  if (t > maxMm + 1e-6)
    addLimitation(list, {
      code: 'THICK_SLICES',
      message: `Slices are ${round1(t)} mm thick; ${what} assumes ${maxMm} mm or thinner (partial volume changes sizes and HU).`,
      details: { sliceThicknessMm: round1(t), maxSliceThicknessMm: maxMm },
    });
  return t;
}

/**
 * Blood-pool HU from the mediastinum between the lungs: on the slices where the gap between the
 * two lungs is widest (heart and great vessels), the mode of the soft-tissue histogram (-20 to
 * 600 HU, 10 HU bins). The heart's blood dominates that gap, so the mode is the blood HU:
 * 30-60 unenhanced, above {@link CONTRAST_BLOOD_HU} with iodinated contrast. Null without a gap
 * of at least 20 cm² on some slice (one lung, or no mediastinum in the scan).
 * @param lungLabels 1 = one lung, 2 = the other, on the CT grid.
 */
export function mediastinalBloodHU(ct: Volume, lungLabels: ArrayLike<number>): number | null {
  const [nx, ny, nz] = ct.dims;
  const sxy = nx * ny;
  const px = ct.spacing[0] * ct.spacing[1];
  const gapArea = new Float64Array(nz);
  const span = new Int32Array(4 * ny); // per row: min/max x of label 1, min/max x of label 2
  const rowGap = (z: number, visit?: (i: number) => void): number => {
    let n = 0;
    span.fill(-1);
    for (let y = 0; y < ny; y++) {
      const base = z * sxy + y * nx;
      for (let x = 0; x < nx; x++) {
        const l = lungLabels[base + x];
        if (l !== 1 && l !== 2) continue;
        const k = 4 * y + 2 * (l - 1);
        if (span[k] === -1) span[k] = x;
        span[k + 1] = x;
      }
      const a0 = span[4 * y]!;
      const b0 = span[4 * y + 2]!;
      if (a0 < 0 || b0 < 0) continue;
      // the gap runs from the inner edge of the lung on one side to that of the other
      const [from, to] = a0 < b0 ? [span[4 * y + 1]!, b0] : [span[4 * y + 3]!, a0];
      for (let x = from + 1; x < to; x++) {
        if (lungLabels[base + x]) continue;
        n++;
        visit?.(base + x);
      }
    }
    return n * px;
  };
  for (let z = 0; z < nz; z++) gapArea[z] = rowGap(z);
  const order = Array.from(gapArea.keys()).sort((a, b) => gapArea[b]! - gapArea[a]!);
  if (!(gapArea[order[0]!]! >= 2000)) return null;
  const keep = order.filter((z) => gapArea[z]! >= 0.6 * gapArea[order[0]!]!).slice(0, Math.max(3, nz / 4));
  const hist = new Float64Array(62); // -20..600 HU in 10 HU bins
  for (const z of keep)
    rowGap(z, (i) => {
      const v = ct.data[i]!;
      if (v >= -20 && v < 600) hist[Math.floor((v + 20) / 10)]!++;
    });
  let best = -1;
  let bestN = 0;
  for (let b = 1; b < hist.length - 1; b++) {
    const n = hist[b - 1]! + 2 * hist[b]! + hist[b + 1]!;
    if (n > bestN) {
      bestN = n;
      best = b;
    }
  }
  return best < 0 ? null : -20 + 10 * best + 5;
}

/**
 * HU of the descending aorta beside the spine: around each vertebral body centre, the most uniform
 * 6 mm-radius disc (mean 0-600 HU, SD under 45 HU) anterior and to the patient's left of the body,
 * where the descending thoracic and abdominal aorta runs. Median over the vertebrae; null when no
 * such disc is found.
 */
export function aortaHUBesideSpine(ct: Volume, bodyCentresMm: Vec3[]): number | null {
  const found: number[] = [];
  const [nx, ny, nz] = ct.dims;
  const r = 6;
  const rx = Math.ceil(r / ct.spacing[0]);
  const ry = Math.ceil(r / ct.spacing[1]);
  for (const c of bodyCentresMm) {
    let bestSd = 45;
    let bestMean = Number.NaN;
    // candidate centres: 20-60 mm anterior (-P), -15..+45 mm to the left (+L) of the body centre, 3 mm steps
    for (let da = 20; da <= 60; da += 3)
      for (let dl = -15; dl <= 45; dl += 3) {
        const ijk = worldToIndex(ct, [c[0] + dl, c[1] - da, c[2]]);
        const ci = Math.round(ijk[0]);
        const cj = Math.round(ijk[1]);
        const ck = Math.round(ijk[2]);
        if (ck < 0 || ck >= nz || ci - rx < 0 || ci + rx >= nx || cj - ry < 0 || cj + ry >= ny) continue;
        let s = 0;
        let s2 = 0;
        let n = 0;
        for (let y = -ry; y <= ry; y++)
          for (let x = -rx; x <= rx; x++) {
            if ((x * ct.spacing[0]) ** 2 + (y * ct.spacing[1]) ** 2 > r * r) continue;
            const v = ct.data[ci + x + nx * (cj + y + ny * ck)]!;
            s += v;
            s2 += v * v;
            n++;
          }
        const mean = s / n;
        const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
        if (mean >= 0 && mean < 600 && sd < bestSd) {
          bestSd = sd;
          bestMean = mean;
        }
      }
    if (Number.isFinite(bestMean)) found.push(bestMean);
  }
  if (found.length === 0) return null;
  found.sort((a, b) => a - b);
  return found[found.length >> 1]!;
}

/** Adds CONTRAST_ENHANCED when the blood HU says iodinated contrast (and returns the phase). */
export function checkContrast(
  list: Limitation[],
  bloodHU: number | null,
  source: string,
  consequence: string,
): 'unenhanced' | 'enhanced' | 'unknown' {
  if (bloodHU === null) return 'unknown';
  if (bloodHU <= CONTRAST_BLOOD_HU) return 'unenhanced';
  addLimitation(list, {
    code: 'CONTRAST_ENHANCED',
    message: `Blood measures about ${Math.round(bloodHU)} HU (${source}): contrast-enhanced scan; ${consequence}`,
    details: { bloodHU: Math.round(bloodHU), thresholdHU: CONTRAST_BLOOD_HU },
  });
  return 'enhanced';
}

/**
 * Largest CTDIvol of a low-dose lung screening protocol for a standard-size patient (ACR lung
 * cancer screening designation and CMS: 3 mGy, 32 cm phantom), mGy.
 */
export const SCREENING_CTDIVOL_MGY = 3;

/** Series description or protocol name words that say a screening (low-dose) protocol. */
const SCREENING_WORDS = /(^|[^a-z])(screen\w*|ldct|low[\s_-]?dose|lcs)([^a-z]|$)/i;

/**
 * Whether a CT was acquired at screening (low) dose, from its DICOM facts: a CTDIvol above
 * {@link SCREENING_CTDIVOL_MGY} with no screening word in the series description or protocol name
 * is a diagnostic (full-dose) CT and adds NOT_LOW_DOSE; a screening word or a CTDIvol at or below
 * the limit is 'low-dose'; without either (NIfTI, anonymised headers) 'unknown', and nothing is
 * added (the dose cannot be told from the voxels). A larger patient's screening scan may exceed
 * 3 mGy under automatic exposure control: without a screening word it is then called diagnostic,
 * the cautious side (no screening category rather than a wrong one).
 */
export function checkDose(list: Limitation[], ct: Volume, consequence: string): 'low-dose' | 'diagnostic' | 'unknown' {
  const text = `${ct.meta?.seriesDescription ?? ''} ${ct.meta?.protocolName ?? ''}`;
  const said = SCREENING_WORDS.test(text);
  const ctdi = ct.meta?.ctdiVolMGy;
  const known = typeof ctdi === 'number' && Number.isFinite(ctdi) && ctdi > 0;
  if (known && ctdi > SCREENING_CTDIVOL_MGY && !said) {
    addLimitation(list, {
      code: 'NOT_LOW_DOSE',
      message: `CTDIvol is ${round1(ctdi)} mGy, above the ${SCREENING_CTDIVOL_MGY} mGy of a low-dose screening protocol, and the series is not labelled as screening: a diagnostic CT; ${consequence}`,
      details: { ctdiVolMGy: round1(ctdi), screeningMaxMGy: SCREENING_CTDIVOL_MGY },
    });
    return 'diagnostic';
  }
  return said || known ? 'low-dose' : 'unknown';
}

/**
 * Adds PARTIAL_LUNG_COVERAGE when the lungs reach the first or last slice with more than 15 % of
 * their largest cross-section (apex or base cut off), or reach the image's side edges along at least
 * 20 mm in all (a reconstruction field that cuts the lungs at the side): a lung-wide statement is
 * not possible. Returns which ends are cut and whether a side is.
 */
export function checkLungCoverage(
  list: Limitation[],
  lungMask: Volume,
): { top: boolean; bottom: boolean; side: boolean } {
  const [nx, ny, nz] = lungMask.dims;
  const sxy = nx * ny;
  const m = lungMask.data;
  const area = new Float64Array(nz);
  // lung along the image's side edges, in mm (each edge pixel counts its own width)
  let edgeMm = 0;
  for (let z = 0; z < nz; z++) {
    let n = 0;
    const off = z * sxy;
    for (let i = 0; i < sxy; i++) if (m[off + i]) n++;
    area[z] = n;
    if (n === 0) continue;
    for (let x = 0; x < nx; x++)
      edgeMm += ((m[off + x] ? 1 : 0) + (m[off + sxy - nx + x] ? 1 : 0)) * lungMask.spacing[0];
    for (let y = 1; y < ny - 1; y++)
      edgeMm += ((m[off + nx * y] ? 1 : 0) + (m[off + nx * y + nx - 1] ? 1 : 0)) * lungMask.spacing[1];
  }
  let max = 0;
  for (const a of area) max = Math.max(max, a);
  const first = area[0]! > 0.15 * max;
  const last = area[nz - 1]! > 0.15 * max;
  // which end is superior: the slice whose world S coordinate is larger
  const s0 = indexToWorld(lungMask, [0, 0, 0])[2];
  const s1 = indexToWorld(lungMask, [0, 0, nz - 1])[2];
  const top = s0 > s1 ? first : last;
  const bottom = s0 > s1 ? last : first;
  const side = edgeMm >= 20;
  if (max > 0 && (first || last || side)) {
    const ends = top && bottom ? 'apex and the base' : top ? 'apex' : bottom ? 'base' : '';
    const where = [ends && `at the ${ends}`, side && 'at the side (the field of view)'].filter(Boolean).join(' and ');
    addLimitation(list, {
      code: 'PARTIAL_LUNG_COVERAGE',
      message: `The scan cuts the lungs off ${where}: findings outside the scanned range are not seen.`,
      details: { apexCut: top, baseCut: bottom, sideCut: side },
    });
  }
  return { top, bottom, side };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
