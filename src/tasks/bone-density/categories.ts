/** Opportunistic CT screening category from L1 trabecular attenuation (Pickhardt et al. 2013). */
export type AttenuationCategory = 'osteoporosis' | 'indeterminate' | 'normal';

/** ACR QCT category from volumetric BMD (ACR–SPR–SSR practice parameter for QCT, 2018). */
export type QctCategory = 'normal' | 'low' | 'osteoporosis';

/**
 * Pickhardt PJ et al., Ann Intern Med 2013;158:588-595: L1 trabecular attenuation ≤ 110 HU is
 * highly specific for osteoporosis (DXA T-score ≤ -2.5); > 160 HU is highly sensitive for normal
 * BMD; values between are indeterminate.
 *
 * @example
 * ```ts
 * import { attenuationCategory } from 'medimg';
 * attenuationCategory(95); // 'osteoporosis' (L1 trabecular attenuation <= 110 HU)
 * ```
 */
export function attenuationCategory(meanHU: number): AttenuationCategory {
  if (meanHU <= 110) return 'osteoporosis';
  if (meanHU > 160) return 'normal';
  return 'indeterminate';
}

/**
 * ACR QCT: > 120 mg/cm³ normal, 80–120 low bone mass, < 80 osteoporosis.
 *
 * @example
 * ```ts
 * import { qctCategory } from 'medimg';
 * qctCategory(92); // 'low' (ACR QCT: 80-120 mg/cm3)
 * ```
 */
export function qctCategory(bmdMgCm3: number): QctCategory {
  if (bmdMgCm3 > 120) return 'normal';
  if (bmdMgCm3 >= 80) return 'low';
  return 'osteoporosis';
}
