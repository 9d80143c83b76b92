import type { RadiomicsSettings } from '../../src/tasks/radiomics/settings.js';

const AGG_2D = ['2D_avg', '2D_smrg', '2.5D_dmrg', '2.5D_mrg', '2D', '2.5D'] as const;
const AGG_3D = ['3D_avg', '3D_mrg', '3D'] as const;

/** IBSI CT phantom configurations A–E (../shared/data/ibsi1/README.md). */
export const CT_CONFIGS: Record<string, RadiomicsSettings> = {
  A: {
    mode: 'ibsi',
    ibsi: {
      resegmentRange: [-500, 400],
      discretisation: { method: 'FBS', value: 25 },
      ivhDiscretisation: { method: 'none' },
      aggregations: [...AGG_2D],
    },
  },
  B: {
    mode: 'ibsi',
    ibsi: {
      resampledSpacing: [2, 2, 0],
      interpolator: 'linear',
      roundIntensities: true,
      resegmentRange: [-500, 400],
      discretisation: { method: 'FBN', value: 32 },
      ivhDiscretisation: { method: 'none' },
      aggregations: [...AGG_2D],
    },
  },
  C: {
    mode: 'ibsi',
    ibsi: {
      resampledSpacing: [2, 2, 2],
      interpolator: 'linear',
      roundIntensities: true,
      resegmentRange: [-1000, 400],
      discretisation: { method: 'FBS', value: 25 },
      ivhDiscretisation: { method: 'FBS', value: 2.5 },
      aggregations: [...AGG_3D],
    },
  },
  D: {
    mode: 'ibsi',
    ibsi: {
      resampledSpacing: [2, 2, 2],
      interpolator: 'linear',
      roundIntensities: true,
      outlierSigma: 3,
      discretisation: { method: 'FBN', value: 32 },
      ivhDiscretisation: { method: 'none' },
      aggregations: [...AGG_3D],
    },
  },
  E: {
    mode: 'ibsi',
    ibsi: {
      resampledSpacing: [2, 2, 2],
      interpolator: 'bspline',
      roundIntensities: true,
      resegmentRange: [-1000, 400],
      outlierSigma: 3,
      discretisation: { method: 'FBN', value: 32 },
      ivhDiscretisation: { method: 'FBN', value: 1000 },
      aggregations: [...AGG_3D],
    },
  },
};
