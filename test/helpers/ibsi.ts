import { readFileSync } from 'node:fs';

/** One row of an IBSI reference CSV (../shared/data/ibsi1/README.md describes the columns). */
export interface IbsiReferenceRow {
  dataset: string;
  family: string;
  familyCode: string;
  aggregation: string;
  aggregationCode: string;
  feature: string;
  code: string;
  tag: string;
  value: number;
  tolerance: number;
  consensus: string;
  note: string;
}

/** Splits one CSV line, honouring double-quoted fields ("2D, averaged"). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses an IBSI reference CSV (reference_values_*.csv) into typed rows. */
export function loadIbsiReference(file: string): IbsiReferenceRow[] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0]!);
  const col = (name: string): number => {
    const k = header.indexOf(name);
    if (k < 0) throw new Error(`IBSI CSV ${file} lacks column ${name}`);
    return k;
  };
  const c = {
    dataset: col('dataset'),
    family: col('family'),
    familyCode: col('family_ibsi_code'),
    aggregation: col('aggregation'),
    aggregationCode: col('aggregation_ibsi_code'),
    feature: col('feature'),
    code: col('feature_ibsi_code'),
    tag: col('submission_tag'),
    value: col('reference_value'),
    tolerance: col('tolerance'),
    consensus: col('consensus'),
    note: col('note'),
  };
  return lines.slice(1).map((line) => {
    const f = splitCsvLine(line);
    return {
      dataset: f[c.dataset] ?? '',
      family: f[c.family] ?? '',
      familyCode: f[c.familyCode] ?? '',
      aggregation: f[c.aggregation] ?? '',
      aggregationCode: f[c.aggregationCode] ?? '',
      feature: f[c.feature] ?? '',
      code: f[c.code] ?? '',
      tag: f[c.tag] ?? '',
      value: Number(f[c.value]),
      tolerance: Number(f[c.tolerance]),
      consensus: f[c.consensus] ?? '',
      note: f[c.note] ?? '',
    };
  });
}

/** Rounds to `digits` significant digits (IBSI: tolerance 0 means compare at 3 significant digits). */
export function roundSignificant(x: number, digits = 3): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/** IBSI match rule: |value - ref| <= tolerance, or equal at 3 significant digits when tolerance is 0. */
export function matchesIbsi(value: number, row: Pick<IbsiReferenceRow, 'value' | 'tolerance'>): boolean {
  if (!Number.isFinite(value)) return false;
  if (row.tolerance > 0) return Math.abs(value - row.value) <= row.tolerance + 1e-12 * Math.abs(row.value);
  return roundSignificant(value) === roundSignificant(row.value);
}

/** One row with every CSV column kept under its own name (`reference_value`, `tolerance` as numbers). */
export interface IbsiRow {
  [column: string]: string | number;
  reference_value: number;
  tolerance: number;
}

/** Loads an IBSI reference CSV keeping every column under its CSV name. */
export function loadIbsiRows(file: string): IbsiRow[] {
  return loadIbsiReference(file).map((r) => ({
    dataset: r.dataset,
    family: r.family,
    family_ibsi_code: r.familyCode,
    aggregation: r.aggregation,
    aggregation_ibsi_code: r.aggregationCode,
    feature: r.feature,
    feature_ibsi_code: r.code,
    submission_tag: r.tag,
    reference_value: r.value,
    tolerance: r.tolerance,
    consensus: r.consensus,
    note: r.note,
  }));
}

/** {@link matchesIbsi} with the reference value and tolerance given separately. */
export function ibsiMatches(value: number, ref: number, tol: number): boolean {
  return matchesIbsi(value, { value: ref, tolerance: tol });
}
