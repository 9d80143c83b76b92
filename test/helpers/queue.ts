/** Helpers for the job-queue tests and the load bench: phantom studies, the CLI as a process, Orthanc counts. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePhantomDicom } from '../../src/cli/analysis/phantom-dicom.js';
import { makeChestCtPhantom } from '../../src/testing.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = join(ROOT, 'src/cli/main.ts');

/** A small chest CT phantom (64x64x32, 5.5 x 5.5 x 10 mm) as Part-10 files with fresh UIDs. */
export async function phantomStudy(seed: number): Promise<Uint8Array[]> {
  const { image } = makeChestCtPhantom({ dims: [64, 64, 32], spacing: [5.5, 5.5, 10], nodules: 0, seed });
  const dir = mkdtempSync(join(tmpdir(), 'medimg-phantom-'));
  try {
    await writePhantomDicom(image, dir);
    return readdirSync(dir)
      .sort()
      .map((f) => new Uint8Array(readFileSync(join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The StudyInstanceUID of a Part-10 file written by writePhantomDicom (read with the library). */
export { readDicomSeries } from '../../src/index.js';

/** Starts `medimg <args>` (through tsx) as a child process; its stderr lines go to `onLine`. */
export function spawnMedimg(
  args: string[],
  onLine?: (line: string) => void,
  env: NodeJS.ProcessEnv = {},
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEDIMG_DEBUG: '', ...env },
  });
  let buf = '';
  child.stderr?.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) onLine?.(l);
  });
  child.stdout?.resume();
  return child;
}

/** Runs `medimg <args>` to the end. */
export function runMedimg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MEDIMG_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Waits for a child to exit (SIGKILL after `ms`); resolves to its exit code or signal. */
export function waitExit(child: ChildProcess, ms = 60_000): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode!);
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, ms);
    child.once('exit', (code, sig) => {
      clearTimeout(t);
      resolve(code ?? sig ?? -1);
    });
  });
}

/** Series of a study in Orthanc by modality, through its REST API. */
export async function orthancSeriesByModality(
  orthanc: string,
  studyInstanceUid: string,
): Promise<Record<string, string[]>> {
  const ids = (await (await fetch(`${orthanc}/tools/lookup`, { method: 'POST', body: studyInstanceUid })).json()) as {
    ID: string;
    Type: string;
  }[];
  const study = ids.find((i) => i.Type === 'Study');
  if (!study) return {};
  const series = (await (await fetch(`${orthanc}/studies/${study.ID}/series`)).json()) as {
    MainDicomTags: { Modality: string; SeriesInstanceUID: string };
    Instances: string[];
  }[];
  const out: Record<string, string[]> = {};
  for (const s of series) {
    for (const _ of s.Instances) (out[s.MainDicomTags.Modality] ??= []).push(s.MainDicomTags.SeriesInstanceUID);
  }
  return out;
}
