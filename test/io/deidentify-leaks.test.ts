import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { isMedImgError } from '../../src/core/errors.js';
import { prepareDicomBytes } from '../../src/io/dicom/ds-parse.js';
import { type DeidentifyOptions, deidentifyWithReport } from '../../src/io/index.js';
import { DATA_DIR, describeData } from '../helpers/data.js';

// Issue 19: over every real DICOM file in ../shared/data, no date, time, name, ID, AE title or
// instance UID of the original survives anywhere in the de-identified file, with the default options
// and with every cleaning option on (text kept with identifying parts removed, AE titles pseudonymised).
// The values are read from the original, and the output is checked, by DCMTK's dcmdump (an
// independent parser), and the output's raw bytes are searched too.

const hasDcmdump = spawnSync('dcmdump', ['--version'], { encoding: 'utf8' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'medimg-deid-leaks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (!/\.(json|md|txt|csv|nii|gz|onnx|nrrd|mgz|npy|png|py)$/i.test(name)) out.push(p);
  }
  return out;
}

interface DumpValue {
  tag: string;
  vr: string;
  value: string;
}

function dcmdump(path: string): { ok: boolean; text: string; values: DumpValue[] } {
  const r = spawnSync('dcmdump', ['-q', '+L', '+uc', path], { encoding: 'latin1', maxBuffer: 256 * 1024 ** 2 });
  const values: DumpValue[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*\(([0-9a-f]{4},[0-9a-f]{4})\) (\w\w) \[(.*)\]\s+#/i.exec(line);
    if (m) values.push({ tag: m[1]!.toLowerCase(), vr: m[2]!, value: m[3]! });
  }
  return { ok: r.status === 0 && !/^E: /m.test(r.stderr), text: r.stdout, values };
}

/** UIDs of classes (SOP class, transfer syntax, coding scheme): they name a kind of object, not a patient's. */
const CLASS_UID_TAGS = new Set([
  '0002,0002',
  '0002,0010',
  '0002,0012',
  '0008,0016',
  '0008,001a',
  '0008,001b',
  '0008,010c',
  '0008,010d',
  '0008,0118',
  '0008,1150',
  '0004,1510',
  '0004,1512',
]);

/** What de-identification writes in place of a value; an original equal to one cannot be told apart. */
const DUMMIES = new Set(['19000101', '000000', '19000101000000', 'ANONYMIZED']);

const ID_TAGS = new Set([
  '0010,0020',
  '0010,1000',
  '0008,0050',
  '0020,0010',
  '0010,1002',
  '0040,2016',
  '0040,2017',
  '0040,0009',
  '0040,1001',
]);

/** Values of the original that must not survive. */
function sensitive(values: DumpValue[]): DumpValue[] {
  const out: DumpValue[] = [];
  for (const v of values) {
    for (const part of v.value.split('\\')) {
      const s = part.trim();
      let keep = false;
      if (v.vr === 'DA' || v.vr === 'DT') keep = s.length >= 8;
      else if (v.vr === 'TM') keep = s.length >= 6 && !/^0+(\.0*)?$/.test(s);
      else if (v.vr === 'PN') keep = s.length >= 3 && s.toUpperCase() !== 'ANONYMIZED';
      else if (v.vr === 'UI') keep = s.length >= 10 && !s.startsWith('1.2.840.10008.') && !CLASS_UID_TAGS.has(v.tag);
      else if (v.vr === 'AE') keep = s.length >= 3;
      else if (ID_TAGS.has(v.tag)) keep = s.length >= 3;
      if (keep) out.push({ tag: v.tag, vr: v.vr, value: s });
    }
  }
  return out;
}

const CLEAN_ALL: DeidentifyOptions = {
  cleanDescriptors: true,
  cleanStructuredContent: true,
  cleanGraphics: true,
  retainPatientCharacteristics: true,
  retainDeviceIdentity: true,
};

describeData('de-identification over every real DICOM file, checked with dcmdump', () => {
  it('no original date, time, name, ID, AE title or instance UID survives; dcmdump reads every output', async () => {
    if (!hasDcmdump) {
      if (process.env.CI) throw new Error('dcmdump (dcmtk) is required under CI');
      console.log('deidentify leaks: dcmdump not installed, skipped');
      return;
    }
    const files = walk(DATA_DIR);
    const leaks: string[] = [];
    const unreadable: string[] = [];
    const refused: Record<string, number> = {};
    let checked = 0;
    let values = 0;
    let ambiguous = 0;
    const amb: Record<string, number> = {};
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(f));
      let outs: Uint8Array[];
      try {
        await prepareDicomBytes(bytes);
        outs = [deidentifyWithReport(bytes).bytes, deidentifyWithReport(bytes, CLEAN_ALL).bytes];
      } catch (e) {
        if (isMedImgError(e, 'NOT_DICOM')) continue;
        const code = isMedImgError(e) ? e.code : 'uncoded';
        refused[code] = (refused[code] ?? 0) + 1;
        continue;
      }
      const rel = f.slice(DATA_DIR.length + 1);
      const orig = dcmdump(f);
      if (!orig.ok) continue; // not a file DCMTK reads either: nothing to compare against
      for (const [k, out] of outs.entries()) {
        const outPath = join(tmp, 'out.dcm');
        writeFileSync(outPath, out);
        const dumped = dcmdump(outPath);
        if (!dumped.ok) unreadable.push(rel);
        const raw = Buffer.from(out).toString('latin1');
        const secret = sensitive(orig.values).filter((s) => !DUMMIES.has(s.value));
        const outValues = new Set(dumped.values.flatMap((v) => v.value.split('\\').map((x) => x.trim())));
        // a string that is also the value of a kept, non-identifying attribute (Patient's Name 'HFS'
        // and Patient Position HFS) cannot be told apart in the output: counted, not a leak
        const secretTags = new Set(secret.map((x) => x.tag));
        const origPairs = new Set(orig.values.map((v) => `${v.tag}=${v.value}`));
        const plain = new Set(
          dumped.values
            .filter((v) => !secretTags.has(v.tag) && origPairs.has(`${v.tag}=${v.value}`))
            .flatMap((v) => v.value.split('\\').map((x) => x.trim())),
        );
        for (const s of secret) {
          values++;
          if (plain.has(s.value)) {
            ambiguous++;
            amb[`${s.tag} ${s.vr}`] = (amb[`${s.tag} ${s.vr}`] ?? 0) + 1;
            continue;
          }
          // a value of any element of the output (whole value or one of its \\-separated values), or,
          // for 8 characters and more, anywhere in the bytes (pixel data, undecoded private blocks)
          if (outValues.has(s.value) || (s.value.length >= 8 && raw.includes(s.value)))
            leaks.push(`${rel} (${s.tag}) ${s.vr}${k ? ' [clean options]' : ''}`);
        }
      }
      checked++;
    }
    console.log(
      `deidentify leaks: ${checked} real files, ${values} original values checked (${ambiguous} also the value of a kept attribute), refused by code: ${JSON.stringify(refused)} amb ${JSON.stringify(amb)}`,
    );
    expect(leaks.length, leaks.slice(0, 40).join('\n')).toBe(0);
    expect(checked).toBeGreaterThan(200);
    expect(refused).toEqual({});
    expect(unreadable).toEqual([]);
  }, 600_000);
});
