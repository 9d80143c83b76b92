// compareStudies with a brain structure model (brain.model): segmentBrainStructures at both time
// points, each in its own space, the follow-up's labels carried into baseline space, sides split
// at the baseline's mid-sagittal plane. On a built threshold graph with a known answer; the real subcortical18 runs are in
// bench/compare-test-retest-model.ts (each 256^3 run is 1-2 min on 2 cores).
import { describe, expect, it } from 'vitest';
import { BRAINCHOP_CARDS } from '../../src/backends/cards/brainchop.js';
import { thresholdSoftmaxModel } from '../../src/backends/testing/onnx-builder.js';
import { isMedImgError } from '../../src/core/errors.js';
import {
  BRAINCHOP_SUBCORTICAL18_CARD,
  brainModelStructures,
  compareStudies,
  presentComparison,
  SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT,
} from '../../src/index.js';
import { HIPPOCAMPUS_TEST_CARD, headPhantom } from '../helpers/brain-phantom.js';

describe('compareStudies with a brain structure model (built graph)', () => {
  it('structures from label names: left/right from the labels, or split at the midline', () => {
    const sub = brainModelStructures(
      Object.values(BRAINCHOP_SUBCORTICAL18_CARD.network_data_format.outputs)[0]!.channel_def,
    );
    expect(sub.map((s) => s.name)).toEqual([
      'Left hippocampus',
      'Right hippocampus',
      'Left amygdala',
      'Right amygdala',
      'Left thalamus',
      'Right thalamus',
      'Left caudate',
      'Right caudate',
      'Left putamen',
      'Right putamen',
      'Left pallidum',
      'Right pallidum',
      'Left lateral ventricle',
      'Right lateral ventricle',
      'Left cerebral white matter',
      'Right cerebral white matter',
      'Left cerebral cortex',
      'Right cerebral cortex',
    ]);
    expect(sub[0]).toEqual({ name: 'Left hippocampus', labels: [14], side: 'left' });
    const dk = brainModelStructures(
      Object.values(BRAINCHOP_CARDS['brainchop-dk104']!.network_data_format.outputs)[0]!.channel_def,
    );
    expect(dk.find((s) => s.name === 'Right thalamus')).toEqual({ name: 'Right thalamus', labels: [70] });
    const ctx = dk.find((s) => s.name === 'Left cerebral cortex')!;
    expect(ctx.labels).toHaveLength(34);
    expect(ctx.side).toBeUndefined();
    // Every key structure of the shipped model has its measured test-retest smallest detectable change.
    for (const s of sub) expect(SUBCORTICAL18_SMALLEST_DETECTABLE_CHANGE_PCT[s.name], s.name).toBeGreaterThan(0);
  });

  it('segments each time point in its own space, measures in baseline space and recovers a left-only loss', async () => {
    const a = headPhantom(8);
    const b = headPhantom(7);
    const knownLeftPct = (100 * (b.left - a.left)) / a.left;
    const r = await compareStudies(
      { ...a.vol, meta: { modality: 'MR', studyDate: '20240101' } },
      { ...b.vol, meta: { modality: 'MR', studyDate: '20250101' } },
      { brain: { model: { onnx: thresholdSoftmaxModel(85), card: HIPPOCAMPUS_TEST_CARD }, backend: 'cpu' } },
    );
    expect(r.kind).toBe('brain-structures');
    expect(r.registration.ncc).toBeGreaterThan(0.95);
    expect(r.provenance.settings).toMatchObject({ segmenter: 'model test-hippocampus' });
    expect(r.structures!.map((s) => s.name)).toEqual(['Left hippocampus', 'Right hippocampus']);
    const [left, right] = r.structures!;
    expect(left!.baselineMl).toBeCloseTo((a.left * 8) / 1000, 6);
    expect(right!.baselineMl).toBeCloseTo((a.right * 8) / 1000, 6);
    expect(Math.abs(left!.changePct! - knownLeftPct)).toBeLessThan(1);
    expect(Math.abs(right!.changePct!)).toBeLessThan(1);
    expect(left!.annualisedPctPerYear).toBeCloseTo((left!.changePct! * 365.25) / 366, 1);
    // Midline between the balls (LPS x = -2 x 19.5), from the baseline labels.
    expect(r.midlineXMm).toBeCloseTo(-39, 0);
    // No SDC for a model without a test-retest table: said, not guessed.
    expect(left!.smallestDetectableChangePct).toBeNull();
    expect(r.limitations.map((l) => l.code)).toEqual(
      expect.arrayContaining(['NO_DETECTABLE_CHANGE_LIMIT', 'HEMISPHERES_BY_MIDLINE', 'MODEL_CHANGE_NOT_VALIDATED']),
    );
    const p = presentComparison(r, a.vol);
    expect(p.pictures[0]!.title).toMatch(/^Left hippocampus: -/);
    // SR: a baseline and a follow-up group per side, CID 7140 Hippocampus with the laterality of the split.
    expect(p.findings.map((f) => `${f.trackingId} ${f.timePoint?.label} ${f.laterality}`)).toEqual([
      'Left hippocampus baseline left',
      'Left hippocampus follow-up left',
      'Right hippocampus baseline right',
      'Right hippocampus follow-up right',
    ]);
    expect(p.findings[0]!.finding).toMatchObject({ value: '5366008', scheme: 'SCT' });
  });

  it('model and segment together, or no brain source, are INVALID_ARGUMENT', async () => {
    const a = headPhantom(8).vol;
    await expect(
      compareStudies(a, a, { brain: { model: new Uint8Array(4), segment: async (v) => v } }),
    ).rejects.toSatisfy((e) => isMedImgError(e, 'INVALID_ARGUMENT'));
    await expect(compareStudies(a, a, { brain: {} })).rejects.toSatisfy((e) => isMedImgError(e, 'INVALID_ARGUMENT'));
  });
});
