import { readdirSync, unlinkSync } from 'node:fs';
import { lstat, mkdir, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { MedImgError } from '../core/errors.js';

// Output safety for the CLI: never write into an input (symbolic links and hard links resolved),
// write through a temporary file renamed into place, and remove temporary files on every exit
// path, signals included (an interrupted batch must not leave `sr.dcm.tmp-<pid>` holding the
// patient module).

/**
 * The real path of `p`, symbolic links resolved; for a path that does not exist yet, the real path
 * of its nearest existing ancestor joined with the rest.
 */
export async function realPathOf(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw wrapFsError(e, 'resolve');
    const parent = dirname(abs);
    if (parent === abs) return abs;
    return join(await realPathOf(parent), basename(abs));
  }
}

const inside = (child: string, parent: string): boolean => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !r.startsWith(sep) && !/^[A-Za-z]:/.test(r));
};

/** Real paths of input folders and device:inode of input files, checked before every write in this thread. */
const protectedTrees = new Set<string>();
const protectedFiles = new Set<string>();

const overlapError = (): MedImgError =>
  new MedImgError(
    'OUTPUT_OVERLAPS_INPUT',
    'The output overlaps an input (the same file or folder, one inside the other, or a link to it): outputs are never written into the inputs.',
  );

/**
 * Refuses (`OUTPUT_OVERLAPS_INPUT`) an output that is an input or lies inside an input folder,
 * and (unless `allowInputInsideOutput`) one that contains an input. Compared on real paths, so a
 * symbolic link to the input folder is caught, and by device and inode, so a hard link is too.
 * The inputs are then protected: {@link writeFileAtomic} refuses any later write into them.
 */
export async function guardOutput(
  inputs: readonly string[],
  output: string,
  opts: { allowInputInsideOutput?: boolean } = {},
): Promise<void> {
  const out = await realPathOf(output);
  const outStat = await stat(out).catch(() => undefined);
  for (const input of inputs) {
    const inp = await realPathOf(input);
    const inStat = await stat(inp).catch(() => undefined);
    const sameInode = !!inStat && !!outStat && inStat.dev === outStat.dev && inStat.ino === outStat.ino;
    if (sameInode || inside(out, inp) || (!opts.allowInputInsideOutput && inside(inp, out))) throw overlapError();
    if (inStat?.isDirectory()) protectedTrees.add(inp);
    else if (inStat) protectedFiles.add(`${inStat.dev}:${inStat.ino}`);
  }
}

async function assertNotInput(file: string): Promise<void> {
  if (protectedTrees.size === 0 && protectedFiles.size === 0) return;
  const dir = await realPathOf(dirname(file));
  for (const t of protectedTrees) if (inside(dir, t)) throw overlapError();
  const st = await stat(file).catch(() => undefined);
  if (st && protectedFiles.has(`${st.dev}:${st.ino}`)) throw overlapError();
}

/** Maps a Node file-system error to a coded MedImgError (errno code only: paths can name patients). */
export function wrapFsError(e: unknown, action: string): MedImgError {
  if (e instanceof MedImgError) return e;
  const code = (e as NodeJS.ErrnoException)?.code ?? 'error';
  return new MedImgError('IO_WRITE_FAILED', `Could not ${action} (${code}).`, { cause: e, details: { errno: code } });
}

/** Creates a folder (and its parents); an existing non-folder there gives IO_WRITE_FAILED, not EEXIST. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw wrapFsError(e, 'create the output folder');
  }
  const st = await stat(dir).catch((e) => {
    throw wrapFsError(e, 'create the output folder');
  });
  if (!st.isDirectory()) {
    throw new MedImgError('IO_WRITE_FAILED', 'The output folder path exists and is not a folder.');
  }
}

const pending = new Set<string>();
const outputDirs = new Set<string>();
let hooked = false;
const tmpMark = (): string => `.tmp-${process.pid}-`;

/**
 * Removes this process's temporary files: those in flight in this thread, and any left in the
 * output folders written or watched here (batch workers are threads of the same process, so the
 * main thread's exit handler also sweeps what a worker had in flight).
 */
export function removeTempFilesSync(): void {
  for (const f of pending) {
    try {
      unlinkSync(f);
    } catch {
      // already gone
    }
  }
  pending.clear();
  for (const d of outputDirs) {
    try {
      for (const name of readdirSync(d)) if (name.includes(tmpMark())) unlinkSync(join(d, name));
    } catch {
      // folder gone or unreadable: nothing of ours to remove
    }
  }
}

/** Output folders whose leftover temporary files are swept at exit (see {@link removeTempFilesSync}). */
export function watchOutputDirs(dirs: readonly string[]): void {
  hookExit();
  for (const d of dirs) outputDirs.add(resolve(d));
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', removeTempFilesSync);
  // signals reach the main thread only; it sweeps the workers' folders too
  if (!isMainThread) return;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // a command with its own handler (worker, watch: graceful stop) decides; the exit hook cleans
      if (process.listenerCount(sig) > 1) return;
      process.off(sig, onSignal);
      removeTempFilesSync();
      // re-raise so the exit status says which signal stopped us
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/**
 * Writes `data` to `file` atomically: into `<file>.tmp-<pid>-<random>` (created exclusively, so an
 * existing file or link there is never followed), then renamed over `file`. Renaming replaces the
 * directory entry, so a hard or symbolic link at `file` is replaced, never written through; a
 * file inside a folder passed to {@link guardOutput}, or one of its input files, is refused. The
 * temporary file is removed on failure and at exit or on SIGINT/SIGTERM/SIGHUP.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  hookExit();
  await assertNotInput(file);
  outputDirs.add(resolve(dirname(file)));
  const tmp = `${file}${tmpMark()}${Math.random().toString(36).slice(2, 10)}`;
  pending.add(tmp);
  try {
    await writeFile(tmp, data, { flag: 'wx', mode: 0o644 });
    // a folder where the file should go would make rename fail with a less clear code
    const existing = await lstat(file).catch(() => undefined);
    if (existing?.isDirectory()) throw new MedImgError('IO_WRITE_FAILED', 'The output file path is a folder.');
    await rename(tmp, file);
    pending.delete(tmp);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    pending.delete(tmp);
    throw wrapFsError(e, 'write an output file');
  }
}
