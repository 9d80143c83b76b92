import { FREESURFER_CONFORM } from '../../backends/cards/brainchop.js';
import type { ModelCard } from '../../backends/model-card.js';

/**
 * The model card of the MeshNet grey/white-matter model, as shipped in
 * `models/meshnet-gwm.card.json` (a test keeps the two identical). Used when the caller passes
 * the ONNX without a card. The ONNX itself is not shipped: pass its path, bytes or URL.
 */
export const MESHNET_GWM_CARD: ModelCard = {
  schema_version: 1,
  id: 'meshnet-gwm',
  name: 'MeshNet grey/white matter (brainchop model5_gw_ae, niivue-onnx export)',
  version: '1.0.0',
  license: 'BSD-2-Clause',
  description:
    'Light MeshNet tissue model: 9 dilated 3D convolutions (5 channels, dilations 1,2,4,8,16,8,4,2,1) and a 1x1x1 convolution to 3 classes. Input: a FreeSurfer-conformed T1 (256^3, 1 mm, LIA, as mri_convert --conform gives), voxels in NIfTI on-disk order, min-max scaled to [0, 1]. Source: niivue/niivue-onnx public/model.onnx (tf2onnx 1.16.1 of brainchop MeshNet), (c) 2024 Chris Rorden.',
  sha256: '02850fb059badf0717d26f61048293b7422b2453fb48db8ae95d046059bfd90f',
  network_data_format: {
    inputs: {
      image: {
        type: 'image',
        format: 'magnitude',
        modality: 'MR',
        num_channels: 1,
        spatial_shape: [256, 256, 256],
        dtype: 'float32',
        value_range: [0, 1],
        is_patch_data: false,
        channel_def: { '0': 'T1' },
        onnx_name: 'input',
      },
    },
    outputs: {
      pred: {
        type: 'image',
        format: 'segmentation',
        num_channels: 3,
        spatial_shape: [256, 256, 256],
        dtype: 'float32',
        value_range: [],
        is_patch_data: false,
        channel_def: { '0': 'background', '1': 'white matter', '2': 'grey matter' },
        onnx_name: 'output',
      },
    },
  },
  preprocessing: {
    axis_order: 'zyx',
    ...FREESURFER_CONFORM,
    intensity: { method: 'minmax' },
  },
  inference: { patch_size: null },
  postprocessing: { activation: 'softmax', argmax: true, largest_component: false },
};
