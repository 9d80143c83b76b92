/** The self-contained summary page: inline CSS, pictures as data: URIs, measurement tables. */

export interface HtmlPicture {
  title: string;
  png: Uint8Array;
}

export interface HtmlTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  note?: string;
}

export interface HtmlSection {
  title: string;
  status: string;
  error?: string;
  pictures: HtmlPicture[];
  tables: HtmlTable[];
}

export interface HtmlSummary {
  title: string;
  facts: [string, string][];
  sections: HtmlSection[];
  files: string[];
  footer: string;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}
main{padding:20px 28px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px 18px;margin:0 0 18px}
h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:14px 0 6px}
.ok{color:#1a7f37}.fail{color:#b42318}
table{border-collapse:collapse;margin:4px 0 8px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #dde1e7;padding:3px 8px;text-align:left}th{background:#eef1f5}
td.n{text-align:right}
figure{display:inline-block;margin:6px 10px 6px 0;vertical-align:top}
figure img{max-width:520px;width:100%;border:1px solid #ccc;image-rendering:auto}
figcaption{font-size:12px;color:#555}
.note{font-size:12px;color:#555}
footer{font-size:12px;color:#666;padding:0 28px 24px}
`;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function table(t: HtmlTable): string {
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r.map((v) => (typeof v === 'number' ? `<td class="n">${esc(String(v))}</td>` : `<td>${esc(v)}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  return `<h3>${esc(t.title)}</h3><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${
    t.note ? `<p class="note">${esc(t.note)}</p>` : ''
  }`;
}

export function renderSummaryHtml(s: HtmlSummary): string {
  const facts = s.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const sections = s.sections
    .map((sec) => {
      const pics = sec.pictures
        .map(
          (p) =>
            `<figure><img alt="${esc(p.title)}" src="data:image/png;base64,${base64(p.png)}"><figcaption>${esc(p.title)}</figcaption></figure>`,
        )
        .join('');
      const cls = sec.error ? 'fail' : 'ok';
      return `<section><h2>${esc(sec.title)} <span class="${cls}">${esc(sec.status)}</span></h2>${
        sec.error ? `<p class="fail">${esc(sec.error)}</p>` : ''
      }${pics}${sec.tables.map(table).join('')}</section>`;
    })
    .join('\n');
  const files = s.files.map((f) => `<li>${esc(f)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(s.title)}</title><style>${CSS}</style></head>
<body><header><h1>${esc(s.title)}</h1></header><main>
<section><h2>Study</h2><table>${facts}</table></section>
${sections}
<section><h2>Files</h2><ul>${files}</ul></section>
</main><footer>${esc(s.footer)}</footer></body></html>
`;
}
