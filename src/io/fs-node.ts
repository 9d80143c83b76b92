import { close as closeCb, open as openCb, read as readCb, readFile as readFileCb } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
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
  async stat(path) {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  },
  readInto(path, offset, into) {
    // callbacks, not FileHandle: one open, read(s) and close per call, nothing else
    return new Promise((resolve, reject) => {
      openCb(path, 'r', (err, fd) => {
        if (err) return reject(err);
        let got = 0;
        const finish = (e: Error | null) => closeCb(fd, () => (e ? reject(e) : resolve(got)));
        const next = (): void => {
          readCb(fd, into, got, into.length - got, offset + got, (e, n) => {
            if (e) return finish(e);
            got += n;
            if (n === 0 || got >= into.length) finish(null);
            else next();
          });
        };
        next();
      });
    });
  },
  async listFiles(dir) {
    // Symbolic links are followed (PACS exports and dcm4che spools use them), each file and
    // folder once by device and inode: a link loop or a second link to a folder adds nothing.
    const out: string[] = [];
    const seen = new Set<string>();
    const once = (s: Stats): boolean => {
      const id = `${s.dev}:${s.ino}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    };
    const walk = async (d: string): Promise<void> => {
      const entries = await readdir(d, { withFileTypes: true });
      // real entries before links, so a file reached both ways is listed under its own name
      entries.sort((x, y) => Number(x.isSymbolicLink()) - Number(y.isSymbolicLink()) || (x.name < y.name ? -1 : 1));
      for (const e of entries) {
        const p = join(d, e.name);
        let s: Stats;
        try {
          s = e.isSymbolicLink() ? await stat(p) : await lstat(p);
        } catch {
          continue; // a dangling link, or a file gone meanwhile
        }
        if (s.isDirectory()) {
          if (once(s)) await walk(p);
        } else if (s.isFile() && once(s)) out.push(p);
      }
    };
    const root = await stat(dir);
    once(root);
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
  inflateRaw(data, maxOutput) {
    let b: Buffer;
    try {
      b = inflateRawSync(data, { maxOutputLength: Math.max(1, maxOutput) });
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
