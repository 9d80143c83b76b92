/** Nodule type by attenuation. */
export type NoduleKind = 'solid' | 'part-solid' | 'ground-glass';

/** Lung-RADS v2022 baseline categories this module assigns from size and type. */
export type LungRadsCategory = '2' | '3' | '4A' | '4B';

/**
 * Lung-RADS v2022 (ACR, baseline screening CT) category of one nodule from its type and mean
 * diameter (mean of long and short axis, rounded to one decimal, in mm):
 *
 * | type | 2 | 3 | 4A | 4B |
 * |---|---|---|---|---|
 * | solid | < 6 | 6 to < 8 | 8 to < 15 | ≥ 15 |
 * | part-solid | total < 6 | total ≥ 6 and solid < 6 | solid 6 to < 8 | solid ≥ 8 |
 * | ground-glass | < 30 | ≥ 30 | – | – |
 *
 * Category 4X (extra suspicious features), juxtapleural/perifissural and airway rules, and the
 * follow-up (growth) rules are not applied.
 *
 * @example
 * ```ts
 * import { lungRadsCategory } from 'medimg';
 * lungRadsCategory('solid', 7); // '3'
 * lungRadsCategory('part-solid', 8, 4); // '4A'
 * ```
 */
export function lungRadsCategory(type: NoduleKind, meanDiameterMm: number, solidMeanDiameterMm = 0): LungRadsCategory {
  const d = Math.round(meanDiameterMm * 10) / 10;
  const s = Math.round(solidMeanDiameterMm * 10) / 10;
  if (type === 'ground-glass') return d >= 30 ? '3' : '2';
  if (type === 'solid') {
    if (d < 6) return '2';
    if (d < 8) return '3';
    if (d < 15) return '4A';
    return '4B';
  }
  if (d < 6) return '2';
  if (s < 6) return '3';
  if (s < 8) return '4A';
  return '4B';
}

/**
 * Exam-level category: the highest nodule category, or '1' (negative) without nodules.
 *
 * @example
 * ```ts
 * import { examLungRads } from 'medimg';
 * examLungRads(['2', '4A', '3']); // '4A'
 * examLungRads([]); // '1'
 * ```
 */
export function examLungRads(categories: LungRadsCategory[]): '1' | LungRadsCategory {
  const order = ['2', '3', '4A', '4B'];
  let best = -1;
  for (const c of categories) best = Math.max(best, order.indexOf(c));
  return best < 0 ? '1' : (order[best] as LungRadsCategory);
}
