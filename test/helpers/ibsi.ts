import { readFileSync } from 'node:fs';

/** One row of an IBSI reference CSV: every column as text, plus parsed numbers. */
export interface IbsiRow {
  [column: string]: string | number;
  reference_value: number;
  tolerance: number;
}

/** Splits one CSV line (double-quoted fields may hold commas and "" escapes). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Loads an IBSI reference CSV (all columns; `reference_value` and `tolerance` as numbers). */
export function loadIbsiReference(file: string): IbsiRow[] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0]!);
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line);
    const row: Record<string, string | number> = {};
    header.forEach((h, i) => {
      row[h] = cells[i] ?? '';
    });
    row.reference_value = Number(row.reference_value);
    row.tolerance = Number(row.tolerance);
    return row as IbsiRow;
  });
}

/** IBSI comparison: |v - ref| ≤ tol, or (tol 0) equal at 3 significant digits. */
export function ibsiMatches(value: number, ref: number, tol: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (tol > 0) return Math.abs(value - ref) <= tol * (1 + 1e-9) + 1e-12;
  const r3 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(3)));
  return r3(value) === r3(ref);
}
