// The brainchop subcortical18 classes as FreeSurfer aseg labels, and Dice against an aseg volume:
// shared by the FreeSurfer comparisons in bench/ (docs/tasks/brain-structures.md).

/** Model class -> FreeSurfer aseg labels (cortex: 3/42 and the Destrieux parcels 11101-11175, 12101-12175). */
export const SUBCORTICAL18_TO_ASEG: Record<string, (l: number) => boolean> = {
  'Cerebral-White-Matter': (l) => l === 2 || l === 41,
  'Cerebral-Cortex': (l) => l === 3 || l === 42 || (l >= 11100 && l < 11200) || (l >= 12100 && l < 12200),
  'Lateral-Ventricle': (l) => l === 4 || l === 43,
  Thalamus: (l) => l === 10 || l === 49,
  Caudate: (l) => l === 11 || l === 50,
  Putamen: (l) => l === 12 || l === 51,
  Pallidum: (l) => l === 13 || l === 52,
  Hippocampus: (l) => l === 17 || l === 53,
  Amygdala: (l) => l === 18 || l === 54,
};

/** Per mapped structure: Dice and voxel counts of the model's label and of FreeSurfer's, on one grid. */
export function asegAgreement(
  labels: ArrayLike<number>,
  labelNames: Record<string, string>,
  aseg: ArrayLike<number>,
): { name: string; dice: number; modelVoxels: number; asegVoxels: number }[] {
  return Object.entries(SUBCORTICAL18_TO_ASEG).map(([name, isFs]) => {
    const label = Number(Object.keys(labelNames).find((k) => labelNames[k] === name));
    let a = 0;
    let b = 0;
    let both = 0;
    for (let i = 0; i < labels.length; i++) {
      const m = labels[i] === label;
      const f = isFs(aseg[i]!);
      if (m) a++;
      if (f) b++;
      if (m && f) both++;
    }
    return { name, dice: (2 * both) / (a + b), modelVoxels: a, asegVoxels: b };
  });
}
