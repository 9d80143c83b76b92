import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/** `../shared/data` next to the repository root, where the real reference data lives. */
export const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

/** Absolute path of a file or folder under the shared data. */
export function dataPath(...parts: string[]): string {
  return join(DATA_DIR, ...parts);
}

/** True when the shared data folder is present. */
export const HAS_DATA = existsSync(DATA_DIR);

/**
 * `describe` for tests that need ../shared/data: skipped with a clear message when it is absent,
 * but a hard failure when CI is set, so real-data tests never skip silently in CI.
 */
export function describeData(name: string, fn: () => void): void {
  if (HAS_DATA) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      throw new Error(`CI is set but the real test data folder ${DATA_DIR} is missing.`);
    });
    return;
  }
  describe.skip(`${name} (skipped: ${DATA_DIR} not found; real-data tests need ../shared/data)`, fn);
}
