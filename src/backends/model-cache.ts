import { getFileSystem } from '../io/fs.js';

/**
 * Where fetched models are kept between runs, keyed by a string (the card's sha256 when known,
 * else the URL). Only URL sources use it: nothing is fetched unless the caller passes a URL.
 */
export interface ModelCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/** File name safe for any key (hex of the key's UTF-8 when it is not already a plain token). */
function fileKey(key: string): string {
  if (/^[A-Za-z0-9._-]{1,128}$/.test(key)) return `${key}.onnx`;
  return `${Array.from(new TextEncoder().encode(key), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 200)}.onnx`;
}

/** A cache in a folder (Node: uses the file-system adapter the Node entry installs). */
export function folderModelCache(dir: string): ModelCache {
  const path = (key: string): string => `${dir.replace(/[\\/]+$/, '')}/${fileKey(key)}`;
  return {
    async get(key) {
      const fs = getFileSystem();
      try {
        return await fs.readFile(path(key));
      } catch {
        return undefined;
      }
    },
    async put(key, bytes) {
      await getFileSystem().writeFile(path(key), bytes);
    },
  };
}

interface CacheStorageLike {
  open(name: string): Promise<{
    match(req: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
    put(req: string, res: unknown): Promise<void>;
  }>;
}

/** A cache in the browser's Cache Storage (`caches`), under the given cache name. */
export function cacheStorageModelCache(name = 'medimg-models'): ModelCache {
  const storage = (): CacheStorageLike | undefined => (globalThis as { caches?: CacheStorageLike }).caches;
  const url = (key: string): string => `https://medimg.invalid/models/${encodeURIComponent(key)}`;
  return {
    async get(key) {
      const s = storage();
      if (!s) return undefined;
      const hit = await (await s.open(name)).match(url(key));
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      const s = storage();
      if (!s) return;
      await (await s.open(name)).put(url(key), new Response(bytes as Uint8Array<ArrayBuffer>));
    },
  };
}
