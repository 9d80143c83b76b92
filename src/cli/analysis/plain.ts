/**
 * Copies a task result into plain JSON data: volumes become `{ dims, nonzeroVoxels }`, typed arrays
 * are dropped (they live in the SEG and PNG files), numbers are rounded to 6 significant digits.
 */
export function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(6)) : String(value);
  if (typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return undefined;
  if (Array.isArray(value)) return value.map(plain);
  const o = value as Record<string, unknown>;
  if (ArrayBuffer.isView(o.data) && Array.isArray(o.dims)) {
    const d = o.data as unknown as ArrayLike<number>;
    let n = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
    return { dims: o.dims, nonzeroVoxels: n };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const p = plain(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}
