import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { MedImgError } from '../../core/errors.js';
import { nodeFileSystem } from '../../io/fs-node.js';
import { checkDeidentifyOptions, type DeidentifyOptions, deidentifyWithReport } from '../../io/index.js';
import { ensureDir, guardOutput, writeFileAtomic } from '../safe-write.js';
import { prepareDicomBytes } from '../../io/dicom/ds-parse.js';
import { EXIT, parseCommandArgs, UsageError } from '../args.js';
import { printJson, printLines } from '../output.js';
import { createProgressBar } from '../progress.js';
import type { Command } from './types.js';

const HELP = `Usage: medimg deidentify <in> <out> [options]

De-identifies DICOM files with the PS3.15 Annex E Basic Application Level Confidentiality Profile
(every attribute of Table E.1-1), UIDs remapped consistently (keyed HMAC-SHA256, so a study stays
linked across files and runs with the same --key), private tags removed. <in> is a file or a
folder (walked recursively; the folder structure is kept, file names are not changed: rename
them yourself if they carry identifiers). Non-DICOM files are skipped. Pixel data are never
changed: files flagged (or likely) to carry burned-in text are listed.

Options:
  --key <text>             key for UID remapping and date shifting, at least 16 bytes (UTF-8);
                           the same key keeps studies linked across runs (default: random per run)
  --dates <remove|keep|shift>  dates: remove (default), keep, or shift by a key-derived offset
  --retain-uids            keep UIDs (Retain UIDs Option)
  --retain-device          keep device identity (AE titles pseudonymised)
  --retain-institution     keep institution identity
  --retain-patient-characteristics  keep sex, age, size, weight (allergies etc. cleaned)
  --clean-descriptors      keep descriptions and comments with identifying text removed
  --clean-structured-content  keep SR content trees with identifying text removed
  --clean-graphics         keep overlays and graphic annotations, their text cleaned
  --json                   machine-readable report
  -q, --quiet              no progress lines on stderr
  -h, --help               this text

Exit codes: 0 ok, 2 bad input, 3 some files failed.`;

export const deidentifyCommand: Command = {
  name: 'deidentify',
  summary: 'de-identify DICOM files (PS3.15 Basic Profile), a file or a folder',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      key: { type: 'string' },
      dates: { type: 'string' },
      'retain-uids': { type: 'boolean' },
      'retain-device': { type: 'boolean' },
      'retain-institution': { type: 'boolean' },
      'retain-patient-characteristics': { type: 'boolean' },
      'clean-descriptors': { type: 'boolean' },
      'clean-structured-content': { type: 'boolean' },
      'clean-graphics': { type: 'boolean' },
    });
    if (values.help) {
      printLines([HELP]);
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError("'medimg deidentify' needs <in> and <out>. Try --help.");
    const [input, output] = positionals.map((p) => resolve(p)) as [string, string];
    if (values.dates && !['remove', 'keep', 'shift'].includes(values.dates)) {
      throw new UsageError(`--dates must be remove, keep or shift, got '${values.dates}'.`);
    }
    const st = await stat(input).catch(() => {
      throw new UsageError(`Cannot read '${positionals[0]}': no such file or folder.`);
    });
    // real paths and inodes, not path strings: `ln -s in alias; medimg deidentify in alias` is refused
    await guardOutput([input], output);
    const opts: DeidentifyOptions = {
      ...(values.key ? { key: values.key } : {}),
      ...(values.dates ? { dates: values.dates as 'remove' | 'keep' | 'shift' } : {}),
      ...(values['retain-uids'] ? { retainUids: true } : {}),
      ...(values['retain-device'] ? { retainDeviceIdentity: true } : {}),
      ...(values['retain-institution'] ? { retainInstitutionIdentity: true } : {}),
      ...(values['retain-patient-characteristics'] ? { retainPatientCharacteristics: true } : {}),
      ...(values['clean-descriptors'] ? { cleanDescriptors: true } : {}),
      ...(values['clean-structured-content'] ? { cleanStructuredContent: true } : {}),
      ...(values['clean-graphics'] ? { cleanGraphics: true } : {}),
    };
    // options are checked once: a bad one is one usage line, not a failure per file
    checkDeidentifyOptions(opts);
    const files: string[] = [];
    // symbolic links followed once, loops detected
    if (st.isDirectory()) files.push(...(await nodeFileSystem.listFiles(input)));
    else files.push(input);
    files.sort();
    const targetOf = (f: string): string => (st.isDirectory() ? join(output, relative(input, f)) : output);
    const written: string[] = [];
    const skipped: string[] = [];
    const failed: { file: string; error: string }[] = [];
    const burnedIn: string[] = [];
    const bar = createProgressBar('De-identifying', !values.quiet && files.length > 20);
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const rel = st.isDirectory() ? relative(input, f) : f;
      bar.update(i / files.length, rel);
      try {
        const bytes = new Uint8Array(await readFile(f));
        await prepareDicomBytes(bytes); // loads the bounded inflater for deflated files
        const { bytes: out, report } = deidentifyWithReport(bytes, opts);
        const target = targetOf(f);
        await ensureDir(dirname(target));
        await writeFileAtomic(target, out);
        written.push(rel);
        if (report.burnedInAnnotationRisk) burnedIn.push(rel);
      } catch (e) {
        // writing into an input is never a per-file failure: stop the batch
        if (e instanceof MedImgError && e.code === 'OUTPUT_OVERLAPS_INPUT') throw e;
        if (e instanceof MedImgError && (e.code === 'NOT_DICOM' || e.code === 'DICOM_INVALID') && st.isDirectory()) {
          skipped.push(rel);
        } else if (!st.isDirectory()) {
          throw e;
        } else {
          failed.push({ file: rel, error: e instanceof MedImgError ? `${e.code}: ${e.message}` : String(e) });
        }
      }
    }
    bar.done();
    if (st.isDirectory() && written.length === 0 && failed.length === 0) {
      throw new MedImgError('SERIES_EMPTY', `No DICOM files found in '${positionals[0]}'.`);
    }
    if (values.json)
      printJson({ written: written.length, skipped, failed, burnedInAnnotationRisk: burnedIn, out: output });
    else {
      const lines = [`${written.length} file(s) de-identified into ${output}`];
      if (skipped.length) lines.push(`${skipped.length} non-DICOM file(s) skipped`);
      for (const f of failed) lines.push(`FAILED ${f.file}: ${f.error}`);
      if (burnedIn.length)
        lines.push(
          `${burnedIn.length} file(s) may carry burned-in text in the pixels (not changed): check them before sharing`,
        );
      printLines(lines);
    }
    return failed.length ? EXIT.partial : EXIT.ok;
  },
};
