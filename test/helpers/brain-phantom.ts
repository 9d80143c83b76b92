// A T1-like head phantom with a bright ball each side of the midline and a two-class card that
// calls everything above a threshold 'Hippocampus': compareStudies' brain.model path with a built
// threshold graph (thresholdSoftmaxModel) and a known answer.
import { BRAINCHOP_CARDS } from '../../src/backends/cards/brainchop.js';
import type { ModelCard } from '../../src/backends/model-card.js';
import { directionFromOrientation } from '../../src/core/geometry.js';
import { createVolume, type Volume } from '../../src/core/volume.js';

/**
 * A two-class test card (input 'input', output 'output', no pinned weights) on the mindgrab card's
 * base: `classes` names class 1, `preprocessing` says how the input is prepared.
 */
export function twoClassTestCard(
  id: string,
  classes: [string, string],
  preprocessing: ModelCard['preprocessing'],
): ModelCard {
  const card: ModelCard = {
    ...(BRAINCHOP_CARDS['brainchop-mindgrab'] as ModelCard),
    id,
    network_data_format: {
      inputs: {
        image: {
          type: 'image',
          num_channels: 1,
          spatial_shape: [-1, -1, -1],
          dtype: 'float32',
          value_range: [],
          channel_def: { '0': 'T1' },
          onnx_name: 'input',
          modality: 'MR',
        },
      },
      outputs: {
        pred: {
          type: 'image',
          format: 'segmentation',
          num_channels: 2,
          spatial_shape: [-1, -1, -1],
          dtype: 'float32',
          value_range: [],
          channel_def: { '0': classes[0], '1': classes[1] },
          onnx_name: 'output',
        },
      },
    },
    preprocessing,
  };
  delete (card as { sha256?: string }).sha256;
  return card;
}

/** Two-class card ('Hippocampus' above the threshold) on the input grid as is. */
export const HIPPOCAMPUS_TEST_CARD: ModelCard = twoClassTestCard('test-hippocampus', ['BG', 'Hippocampus'], {
  axis_order: 'xyz',
  intensity: { method: 'none' },
});

/**
 * A T1-like head in RAS at 2 mm: an ellipsoid of 40 with a brighter (100) ball each side of the
 * midline, the left one of radius `leftMm`, and an off-centre block of 70 that breaks the symmetry
 * for the registration. Returns the volume and its voxels above 85 on each side.
 */
export function headPhantom(leftMm: number): { vol: Volume; left: number; right: number } {
  const dims: [number, number, number] = [40, 40, 30];
  const d = new Float32Array(40 * 40 * 30);
  let left = 0;
  let right = 0;
  for (let k = 0, p = 0; k < 30; k++)
    for (let j = 0; j < 40; j++)
      for (let i = 0; i < 40; i++, p++) {
        // RAS: +i is the patient's right... directionFromOrientation('RAS') in LPS: x = -i.
        const x = (i - 19.5) * 2;
        const y = (j - 19.5) * 2;
        const z = (k - 14.5) * 2;
        let v = (x / 34) ** 2 + (y / 36) ** 2 + (z / 26) ** 2 < 1 ? 40 : 0;
        if (x > 6 && x < 20 && y > 10 && y < 22 && z > -4 && z < 8) v = 70;
        const l = Math.hypot(x + 14, y, z) < leftMm; // x < 0 in index space = patient left (RAS)
        const r = Math.hypot(x - 14, y, z) < 8;
        if (l || r) v = 100;
        if (l) left++;
        if (r) right++;
        d[p] = v;
      }
  const vol = createVolume(dims, d, {
    spacing: [2, 2, 2],
    direction: directionFromOrientation('RAS'),
    origin: [0, 0, 0],
  });
  return { vol: { ...vol, meta: { modality: 'MR' } }, left, right };
}
