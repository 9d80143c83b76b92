import { assertArg } from '../errors.js';

/** How to read a record's subgroup: a field name, or a function (undefined = not known). */
export type SubgroupAttribute<R> = keyof R | ((record: R) => string | number | undefined | null);

/** How to score a subgroup: a numeric field (averaged), or a function of the subgroup's records. */
export type SubgroupMetric<R> = keyof R | ((records: R[]) => number);

/** One subgroup's figure. */
export interface SubgroupFigure {
  group: string;
  n: number;
  value: number;
}

/** Result of {@link auditSubgroups}. */
export interface SubgroupAudit {
  attribute: string;
  /** Subgroups sorted by name; records with an unknown attribute are in group 'unknown'. */
  groups: SubgroupFigure[];
  /** The metric over all records. */
  overall: number;
  /** The widest difference between two known subgroups with at least `minGroupSize` records. */
  largestGap: { high: string; low: string; gap: number } | null;
}

/** Age band of a patient age in years, e.g. 64 → '60-69' (width 10). Unknown → undefined. */
export function ageBand(years: number | undefined | null, width = 10): string | undefined {
  if (years === undefined || years === null || !Number.isFinite(years) || years < 0) return undefined;
  const lo = Math.floor(years / width) * width;
  return `${lo}-${lo + width - 1}`;
}

/**
 * Reports a metric per subgroup (e.g. patient sex, age band, scanner manufacturer from DICOM meta)
 * and the largest gap between subgroups, so users can check results for bias. Subgroups smaller
 * than `minGroupSize` (default 1) are listed but left out of the gap.
 */
export function auditSubgroups<R>(
  records: R[],
  attribute: SubgroupAttribute<R>,
  metric: SubgroupMetric<R>,
  options: { minGroupSize?: number } = {},
): SubgroupAudit {
  assertArg(Array.isArray(records), 'records must be an array.');
  const minN = options.minGroupSize ?? 1;
  const key = (r: R): string => {
    const v = typeof attribute === 'function' ? attribute(r) : (r[attribute] as unknown);
    return v === undefined || v === null || v === '' ? 'unknown' : String(v);
  };
  const score = (rs: R[]): number => {
    if (typeof metric === 'function') return metric(rs);
    let s = 0;
    let n = 0;
    for (const r of rs) {
      const v = Number(r[metric]);
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
    return n ? s / n : Number.NaN;
  };
  const byGroup = new Map<string, R[]>();
  for (const r of records) {
    const k = key(r);
    const list = byGroup.get(k);
    if (list) list.push(r);
    else byGroup.set(k, [r]);
  }
  const groups = [...byGroup.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([group, rs]) => ({ group, n: rs.length, value: score(rs) }));
  const eligible = groups.filter((g) => g.group !== 'unknown' && g.n >= minN && Number.isFinite(g.value));
  let largestGap: SubgroupAudit['largestGap'] = null;
  if (eligible.length >= 2) {
    let hi = eligible[0]!;
    let lo = eligible[0]!;
    for (const g of eligible) {
      if (g.value > hi.value) hi = g;
      if (g.value < lo.value) lo = g;
    }
    largestGap = { high: hi.group, low: lo.group, gap: hi.value - lo.value };
  }
  return {
    attribute: typeof attribute === 'function' ? attribute.name || 'custom' : String(attribute),
    groups,
    overall: score(records),
    largestGap,
  };
}
