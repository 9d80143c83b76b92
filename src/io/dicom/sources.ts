import { MedImgError } from '../../core/errors.js';
import { getFileSystem, toBytes } from '../fs.js';

/** What a DICOM series can be given as: a directory path, file paths, bytes or browser Files. */
export type DicomSeriesInput =
  | string
  | ReadonlyArray<string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob>
  | Uint8Array
  | ArrayBuffer
  | Blob;

/** One input file, read on demand. */
export interface DicomSource {
  /** File path, File name, or `#index` for bytes. */
  name: string;
  /** The file path, for path inputs (header caching and partial reads use it). */
  path?: string;
  /** The bytes object given (not a Blob), for in-memory inputs: the header cache is keyed by it. */
  key?: object;
  read(): Promise<Uint8Array>;
}

function nameOf(x: unknown, i: number): string {
  if (typeof x === 'string') return x;
  const n = (x as { name?: unknown })?.name;
  return typeof n === 'string' && n ? n : `#${i}`;
}

/** Expands an input to its files (directories recursively, in sorted order). */
export async function gatherSources(input: DicomSeriesInput): Promise<DicomSource[]> {
  const list: ReadonlyArray<unknown> =
    typeof input === 'string' || !Array.isArray(input) ? [input] : (input as ReadonlyArray<unknown>);
  if (list.length === 0) throw new MedImgError('SERIES_EMPTY', 'No input files were given.');
  const out: DicomSource[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === 'string') {
      const fs = getFileSystem();
      if (await fs.isDirectory(item)) {
        let files: string[];
        try {
          files = await fs.listFiles(item);
        } catch (e) {
          throw new MedImgError('IO_READ_FAILED', 'Could not list the directory.', { cause: e });
        }
        for (const f of files) out.push({ name: f, path: f, read: () => toBytes(f) });
      } else {
        out.push({ name: item, path: item, read: () => toBytes(item) });
      }
      continue;
    }
    if (
      item instanceof Uint8Array ||
      item instanceof ArrayBuffer ||
      ArrayBuffer.isView(item) ||
      (typeof Blob !== 'undefined' && item instanceof Blob)
    ) {
      const it = item as Uint8Array;
      // the header cache keeps views of the bytes: keyed only where they are the caller's own
      // memory, never for a Blob (its bytes are a copy the cache would keep alive)
      const own = !(typeof Blob !== 'undefined' && item instanceof Blob);
      out.push({ name: nameOf(item, i), ...(own ? { key: item as object } : {}), read: () => toBytes(it) });
      continue;
    }
    throw new MedImgError('INVALID_ARGUMENT', `Input ${i} is not a path, bytes or a File.`);
  }
  return out;
}
