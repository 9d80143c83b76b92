/** The candidate features the probability is computed from (as reported in `DetectedNodule.features`). */
export interface ScoreFeatures {
  blobness: number;
  contrastHU: number;
  compactness: number;
  leak: number;
  lungContact: number;
  wallContact: number;
  diameterMm: number;
  response: number;
}

/** Names of the score's inputs, in the order of {@link scoreInputs}. */
export const SCORE_INPUTS = [
  'blobness',
  'logContrast',
  'compactness',
  'leak',
  'lungContact',
  'wallContact',
  'logDiameter',
  'logResponse',
] as const;

/** The score's inputs (logs and caps applied) in the order of {@link SCORE_INPUTS}. */
export function scoreInputs(f: ScoreFeatures): number[] {
  return [
    f.blobness,
    Math.log(Math.max(f.contrastHU, 1) / 100),
    Math.min(1.5, f.compactness),
    f.leak,
    f.lungContact,
    f.wallContact,
    Math.log(Math.max(f.diameterMm, 1) / 10),
    Math.log(Math.max(f.response, 1) / 100),
  ];
}

/**
 * Logistic weights of the candidate score (bench/fit-nodule-score.ts on the candidates of
 * bench/nodule-candidates.ts): L2-regularised logistic regression on the two real chest CTs of
 * ../shared/data (Lung-PET-CT-Dx A0001 and A0002, each also re-sliced to 10-12 mm and re-filtered
 * smooth and sharp) and on phantoms at 1.25, 2.5, 5 and 8 mm slices, with real and phantom
 * candidates weighted equally and lesions and non-lesions balanced; the bias then carries a prior
 * of 0.15 (lesion share among candidates), the most sensitive prior that keeps at most one false
 * finding per training scan at p >= 0.5. Held out per patient (weights fitted without it, prior
 * chosen without it) the primary tumour of each patient was reported on all four of its scans
 * with 0-2 false findings per scan (docs/tasks/detect-nodules.md).
 */
export const SCORE_WEIGHTS = {
  bias: -4.042,
  blobness: 4.803,
  logContrast: 0.972,
  compactness: 1.379,
  leak: 0.332,
  lungContact: -1.204,
  wallContact: -3.524,
  logDiameter: 1.399,
  logResponse: -1.272,
} as const;

/** Probability in [0, 1] that a candidate is a nodule or mass. */
export function noduleProbability(f: ScoreFeatures, w: Record<string, number> = SCORE_WEIGHTS): number {
  const x = scoreInputs(f);
  let z = w.bias!;
  SCORE_INPUTS.forEach((name, i) => {
    z += w[name]! * x[i]!;
  });
  return 1 / (1 + Math.exp(-z));
}
