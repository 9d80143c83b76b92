// validation.html: one self-contained page (tables and the overlay pictures inlined as data URLs).
import type { BootstrapCi } from '../core/metrics/index.js';
import type { ValidationReport } from './report.js';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Base64 without Buffer (works in the browser too). */
function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A number for a table: 3 significant decimals, '–' when missing. */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toFixed(digits)).toString();
}

/** "mean [low, high]" of a bootstrap interval. */
export function fmtCi(c: BootstrapCi | undefined): string {
  if (!c) return '–';
  return c.low === null || c.high === null
    ? `${fmt(c.estimate)} (n=${c.n})`
    : `${fmt(c.estimate)} [${fmt(c.low)}, ${fmt(c.high)}]`;
}

const table = (head: string[], rows: string[][]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

/** The HTML page of a validation report; `pictures` maps a run's `overlay` path to its PNG bytes. */
export function validationHtml(report: ValidationReport, pictures: Map<string, Uint8Array>): string {
  const parts: string[] = [];
  parts.push(`<h1>medimg validation${report.manifest.name ? `: ${esc(report.manifest.name)}` : ''}</h1>`);
  parts.push(
    `<p>medimg ${esc(report.medimgVersion)}, ${esc(report.createdAt)}; ${report.cases.length} case(s). Intervals: ${Math.round(
      report.bootstrap.level * 100,
    )} % percentile bootstrap over cases (${report.bootstrap.resamples} resamples, seed ${report.bootstrap.seed}); each case's runs are averaged first.</p>`,
  );
  parts.push('<h2>Summary</h2>');
  for (const s of report.summary) {
    parts.push(`<h3>${esc(s.group)}</h3><p>${s.cases} case(s), ${s.runs} run(s), ${s.failedRuns} failed.</p>`);
    parts.push(
      table(
        ['metric', 'n', 'mean [95 % CI]'],
        Object.entries(s.metrics).map(([k, c]) => [esc(k), String(c.n), esc(fmtCi(c))]),
      ),
    );
    if (s.froc)
      parts.push(
        `<p>FROC (${s.froc.scans} scans, ${s.froc.lesions} lesions): ${s.froc.fpRates
          .map((r, i) => `${r} FP/scan: ${fmt(s.froc!.sensitivities[i])}`)
          .join(', ')}; CPM ${fmt(s.froc.cpm)}.</p>`,
      );
    for (const g of s.subgroups) {
      const rows: string[][] = [];
      for (const a of g.audits)
        for (const x of a.groups) rows.push([esc(a.attribute), esc(x.group), String(x.n), esc(fmt(x.value))]);
      parts.push(
        `<details><summary>Subgroups: ${esc(g.metric)}</summary>${table(['attribute', 'group', 'cases', g.metric], rows)}</details>`,
      );
    }
  }
  parts.push('<h2>Cases</h2>');
  for (const c of report.cases) {
    parts.push(`<h3 id="${esc(c.id)}">${esc(c.id)}</h3>`);
    if (c.source) parts.push(`<p class="src">${esc(c.source)}</p>`);
    parts.push(
      `<p>${Object.entries(c.attributes)
        .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
        .join(' · ')}</p>`,
    );
    if (c.error) parts.push(`<p class="err">Case not run: ${esc(c.error.code)}: ${esc(c.error.message)}</p>`);
    const rows = c.runs.map((r) => [
      esc(r.runId),
      esc(r.group),
      r.status === 'ok' ? 'ok' : `<span class="err">${esc(r.error?.code)}: ${esc(r.error?.message)}</span>`,
      esc(
        Object.entries(r.metrics)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', '),
      ),
      esc(
        Object.entries(r.notes)
          .filter(([k]) => k !== 'sweep')
          .map(([k, v]) => `${k}: ${v}`)
          .join('; '),
      ),
      esc(r.limitations.map((l) => l.code).join(', ') || '–'),
      fmt(r.seconds, 1),
    ]);
    parts.push(table(['run', 'group', 'status', 'metrics', 'notes', 'limitations', 's'], rows));
    const figs = c.runs
      .filter((r) => r.overlay && pictures.has(r.overlay))
      .map(
        (r) =>
          `<figure><img alt="${esc(r.runId)}" src="data:image/png;base64,${base64(pictures.get(r.overlay!)!)}"><figcaption>${esc(r.runId)}: truth green, result red</figcaption></figure>`,
      );
    if (figs.length) parts.push(`<div class="figs">${figs.join('')}</div>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>medimg validation</title><style>
body{font:14px system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
.err{color:#b00}.src{color:#555}.figs{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}figcaption{font-size:12px}
</style></head><body>${parts.join('\n')}</body></html>
`;
}
