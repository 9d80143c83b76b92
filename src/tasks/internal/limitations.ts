/**
 * Why a result may not be comparable to the figures a method was validated on. Every task result
 * carries a list of these (empty when the scan is inside the validated scope), so a reader sees the
 * caveat next to the number instead of a confident figure.
 */
export interface Limitation {
  /**
   * Stable machine code. In use: `THICK_SLICES`, `PARTIAL_LUNG_COVERAGE`, `CONTRAST_ENHANCED`,
   * `MOTION`, `LESION_AT_SCAN_EDGE`, `NOT_SCREENING_CT`, `NOT_LOW_DOSE`, `LEVELS_NOT_SEEN`, `BODY_PART`,
   * `OUTSIDE_VALIDATED_SCOPE`; tasks may add their own (SCREAMING_SNAKE_CASE).
   */
  code: string;
  /** One sentence a clinician can read; never contains patient data. */
  message: string;
  /** Optional figures behind the caveat (e.g. `{ sliceThicknessMm: 8 }`). */
  details?: Record<string, number | string | boolean>;
}

/** Adds a limitation once per code (the first message wins). */
export function addLimitation(list: Limitation[], limitation: Limitation): void {
  if (!list.some((l) => l.code === limitation.code)) list.push(limitation);
}
