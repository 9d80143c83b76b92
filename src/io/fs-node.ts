import { readFile as readFileCb } from 'node:fs';
import { readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FileSystemAdapter } from './fs.js';
import { decodeLimitError, type GzipCodec } from './gzip.js';

/** The Node implementation of {@link FileSystemAdapter}. Imported only by the Node entry. */
export const nodeFileSystem: FileSystemAdapter = {
  readFile(path) {
    // the callback API skips fs/promises' FileHandle bookkeeping: a few ms less on a folder of slices
    return new Promise((resolve, reject) => {
      readFileCb(path, (err, buf) => {
        if (err) reject(err);
        else resolve(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      });
    });
  },
  async listFiles(dir) {
    const out: string[] = [];
    const walk = async (d: string): Promise<void> => {
      const entries = await readdir(d, { withFileTypes: true });
      for (const e of entries) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) out.push(p);
      }
    };
    await walk(dir);
    return out.sort();
  },
  async isDirectory(path) {
    try {
      return (await stat(path)).isDirectory();
    } catch {
      return false;
    }
  },
  async writeFile(path, bytes) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  },
};

/** node:zlib gzip, installed by the Node entry (faster than the pure-JS fallback). */
export const nodeGzip: GzipCodec = {
  gunzip(data, maxOutput) {
    let b: Buffer;
    try {
      // zlib stops at maxOutputLength (a bomb costs at most the limit, not its full size)
      b = gunzipSync(data, { maxOutputLength: Math.max(1, maxOutput) });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw decodeLimitError(maxOutput);
      throw e;
    }
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  gzip(data, level) {
    const b = gzipSync(data, { level: Math.max(0, Math.min(9, Math.round(level))) });
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
};
