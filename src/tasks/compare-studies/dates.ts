// Study dates and the interval between two studies (DICOM DA 'YYYYMMDD', or ISO 'YYYY-MM-DD').
import { assertArg } from '../../core/errors.js';

/**
 * Parses a DICOM DA or ISO date to UTC milliseconds; undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * import { parseStudyDate } from 'medimg';
 * parseStudyDate('20240131'); // Date.UTC(2024, 0, 31)
 * parseStudyDate(ct.meta?.studyDate); // undefined when absent or impossible
 * ```
 */
export function parseStudyDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t;
}

/** Days from baseline to follow-up, or null when either date is unknown. Throws when the follow-up is earlier. */
export function intervalDays(baseline: number | undefined, followUp: number | undefined): number | null {
  if (baseline === undefined || followUp === undefined) return null;
  const days = Math.round((followUp - baseline) / 86_400_000);
  assertArg(days >= 0, 'The follow-up study is dated before the baseline study: swap them.');
  return days;
}
