import { MedImgError } from '../core/errors.js';

/**
 * File access the io layer needs for path inputs. The Node entry installs an implementation over
 * `node:fs`; the browser entry installs none, so path inputs fail there with a clear error while
 * bytes and `File` inputs work everywhere.
 */
export interface FileSystemAdapter {
  readFile(path: string): Promise<Uint8Array>;
  /** Regular files under `dir`, recursively, as full paths, sorted. */
  listFiles(dir: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Size in bytes and modification time (ms since the epoch) of a file; optional (header caches use it). */
  stat?(path: string): Promise<{ size: number; mtimeMs: number }>;
  /**
   * Reads up to `into.length` bytes of a file from byte `offset` into `into`; resolves to the count
   * read (fewer at the end of the file). Optional: lets readers fetch a header or one frame
   * without reading the whole file.
   */
  readInto?(path: string, offset: number, into: Uint8Array): Promise<number>;
}

let adapter: FileSystemAdapter | undefined;

/**
 * Installs the file-system adapter (done by the Node entry).
 *
 * @example
 * ```ts
 * import { setFileSystem } from 'medimg';
 * // the Node entry installs node:fs; in a browser or a service, route paths to your own store
 * const store = new Map<string, Uint8Array>([['scan.nii.gz', bytes]]);
 * setFileSystem({
 *   readFile: async (p) => store.get(p) ?? Promise.reject(new Error(`no ${p}`)),
 *   listFiles: async (dir) => [...store.keys()].filter((k) => k.startsWith(dir)).sort(),
 *   isDirectory: async (p) => [...store.keys()].some((k) => k.startsWith(`${p}/`)),
 *   writeFile: async (p, b) => void store.set(p, b),
 * });
 * ```
 */
export function setFileSystem(fs: FileSystemAdapter | undefined): void {
  adapter = fs;
}

/**
 * The installed adapter, or UNSUPPORTED_ENVIRONMENT when paths cannot be read here.
 *
 * @example
 * ```ts
 * import { getFileSystem } from 'medimg';
 * const fs = getFileSystem(); // node:fs in Node; throws UNSUPPORTED_ENVIRONMENT in a browser unless set
 * const files = await fs.listFiles('/data/study');
 * ```
 */
export function getFileSystem(): FileSystemAdapter {
  if (!adapter) {
    throw new MedImgError(
      'UNSUPPORTED_ENVIRONMENT',
      'File paths can only be read in Node. In the browser pass Uint8Array or File objects.',
    );
  }
  return adapter;
}

/** Reads a path (Node) or passes bytes through; accepts ArrayBuffer, views and Blob/File. */
export async function toBytes(input: string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob): Promise<Uint8Array> {
  if (typeof input === 'string') {
    try {
      return await getFileSystem().readFile(input);
    } catch (e) {
      if (e instanceof MedImgError) throw e;
      throw new MedImgError(
        'IO_READ_FAILED',
        `Could not read the file (${(e as NodeJS.ErrnoException)?.code ?? 'error'}).`,
        {
          cause: e,
        },
      );
    }
  }
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (typeof Blob !== 'undefined' && input instanceof Blob) return new Uint8Array(await input.arrayBuffer());
  throw new MedImgError('INVALID_ARGUMENT', 'Expected a path, bytes or a File.');
}
