import { describe, expect, it } from 'vitest';
import type { ChestCtPhantom } from '../../src/index.js';
import { meanStd, sha256Hex } from '../../src/ops.js';
import { makeChestCtPhantom } from '../../src/testing.js';

const SMALL = { dims: [128, 128, 60] as [number, number, number], spacing: [2.8, 2.8, 5] as [number, number, number] };

describe('makeChestCtPhantom', () => {
  const clean: ChestCtPhantom = makeChestCtPhantom({ seed: 3, nodules: 10, tumor: true });

  it('has the documented default grid, LPS and centred', () => {
    const { image } = clean;
    expect(image.dims).toEqual([256, 256, 120]);
    expect(image.spacing).toEqual([1.4, 1.4, 2.5]);
    expect(image.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(image.origin[0]).toBeCloseTo(-127.5 * 1.4, 9);
    expect(image.meta?.units).toBe('HU');
  });

  it('trabecular cores hold exactly their set HU without noise', () => {
    const { image, truth } = clean;
    expect(truth.vertebrae.length).toBeGreaterThanOrEqual(8);
    for (const v of truth.vertebrae) {
      const m = new Uint8Array(image.data.length);
      let n = 0;
      for (let i = 0; i < m.length; i++)
        if (truth.trabecularLabels.data[i] === v.label) {
          m[i] = 1;
          n++;
        }
      expect(n).toBeGreaterThan(500);
      const s = meanStd(image.data, m);
      expect(s.mean).toBe(v.trabecularHU);
      expect(s.std).toBe(0);
    }
    const levels = truth.vertebrae.map((v) => v.level);
    expect(new Set(levels).size).toBe(levels.length);
    expect(levels).toContain('T12');
  });

  it('trabecular means stay within noise error with noise on', () => {
    const noisy = makeChestCtPhantom({ seed: 3, nodules: 10, tumor: true, noiseSd: 20 });
    for (const v of noisy.truth.vertebrae) {
      const m = noisy.truth.trabecularLabels.data.map((l) => (l === v.label ? 1 : 0));
      const s = meanStd(noisy.image.data, m);
      expect(Math.abs(s.mean - v.trabecularHU)).toBeLessThan(2);
      expect(s.std).toBeGreaterThan(18);
      expect(s.std).toBeLessThan(22);
    }
  });

  it('lungs are plausible: ~-850 HU, 2-4 L each, no airway inside', () => {
    const { image, truth } = clean;
    const voxMl = (1.4 * 1.4 * 2.5) / 1000;
    for (const side of [1, 2]) {
      let n = 0;
      let air = 0;
      for (let i = 0; i < image.data.length; i++) {
        if (truth.lungLabels.data[i] !== side) continue;
        n++;
        if (truth.airwayMask.data[i]) air++;
      }
      expect(n * voxMl).toBeGreaterThan(2000);
      expect(n * voxMl).toBeLessThan(4000);
      expect(air).toBe(0);
    }
    const lungHU = meanStd(
      image.data,
      truth.lungLabels.data.map((l, i) => (l && !truth.noduleLabels.data[i] && !truth.tumor?.mask.data[i] ? 1 : 0)),
    );
    expect(lungHU.mean).toBeGreaterThan(-860);
    expect(lungHU.mean).toBeLessThan(-780); // vessels raise it a little
  });

  it('nodules match their truth: inside a lung, voxel volume close to the sphere, HU by type', () => {
    const { image, truth } = clean;
    expect(truth.nodules.length).toBe(10);
    const vox = 1.4 * 1.4 * 2.5;
    for (const n of truth.nodules) {
      let count = 0;
      let inLung = 0;
      for (let i = 0; i < image.data.length; i++) {
        if (truth.noduleLabels.data[i] !== n.label) continue;
        count++;
        if (truth.lungLabels.data[i]) inLung++;
      }
      if (n.diameterMm >= 10) expect(Math.abs(count * vox - n.volumeMm3) / n.volumeMm3).toBeLessThan(0.08);
      expect(inLung / count).toBeGreaterThan(0.95);
      const c = n.centerVoxel.map(Math.round);
      const centreHU = image.data[c[0]! + 256 * (c[1]! + 256 * c[2]!)]!;
      if (n.type === 'ground-glass') expect(Math.abs(centreHU - -600)).toBeLessThan(60);
      else if (n.diameterMm > 8) expect(Math.abs(centreHU - 30)).toBeLessThan(60);
    }
    expect(truth.nodules.some((n) => n.juxtapleural)).toBe(true);
    expect(new Set(truth.nodules.map((n) => n.type)).size).toBe(3);
  });

  it('juxtapleural nodules touch the chest wall', () => {
    const { image, truth } = clean;
    const [nx, ny] = image.dims;
    for (const n of truth.nodules.filter((q) => q.juxtapleural)) {
      // some voxel of the nodule has a 6-neighbour that is body but not lung
      let touches = false;
      for (let i = 0; i < image.data.length && !touches; i++) {
        if (truth.noduleLabels.data[i] !== n.label) continue;
        for (const d of [1, -1, nx, -nx, nx * ny, -nx * ny]) {
          const j = i + d;
          if (truth.bodyMask.data[j] && !truth.lungLabels.data[j] && !truth.noduleLabels.data[j]) touches = true;
        }
      }
      expect(touches).toBe(true);
    }
  });

  it('tumour truth is a mass of plausible volume', () => {
    const t = clean.truth.tumor!;
    expect(t.volumeMm3).toBeGreaterThan(20_000);
    expect(t.volumeMm3).toBeLessThan(80_000);
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = makeChestCtPhantom({ ...SMALL, seed: 11, noiseSd: 10 });
    const b = makeChestCtPhantom({ ...SMALL, seed: 11, noiseSd: 10 });
    const c = makeChestCtPhantom({ ...SMALL, seed: 12, noiseSd: 10 });
    expect(await sha256Hex(a.image.data)).toBe(await sha256Hex(b.image.data));
    expect(await sha256Hex(a.image.data)).not.toBe(await sha256Hex(c.image.data));
    expect(a.truth.nodules).toEqual(b.truth.nodules);
  });

  it('places explicit nodules where asked and validates options', () => {
    const p = makeChestCtPhantom({
      ...SMALL,
      nodules: [{ centerMm: [80, 0, 20], diameterMm: 12, type: 'part-solid' }],
    });
    expect(p.truth.nodules[0]!.centerMm).toEqual([80, 0, 20]);
    expect(p.truth.nodules[0]!.lung).toBe('left');
    expect(p.truth.nodules[0]!.solidDiameterMm).toBe(6);
    expect(() => makeChestCtPhantom({ dims: [0, 10, 10] })).toThrow(/dims/);
    expect(() => makeChestCtPhantom({ noiseSd: -1 })).toThrow();
  });

  it('blur spreads edges without moving the trabecular means', () => {
    const p = makeChestCtPhantom({ ...SMALL, seed: 5, blurSigmaMm: 1 });
    for (const v of p.truth.vertebrae) {
      const m = p.truth.trabecularLabels.data.map((l) => (l === v.label ? 1 : 0));
      if (m.reduce((s, x) => s + x, 0) < 20) continue;
      expect(Math.abs(meanStd(p.image.data, m).mean - v.trabecularHU)).toBeLessThan(60);
    }
  });
});
