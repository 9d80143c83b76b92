import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** `../shared/data` next to the repository root, where the real reference data lives. */
export const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

/** Absolute path of a file or folder under the shared data. */
export function dataPath(...parts: string[]): string {
  return join(DATA_DIR, ...parts);
}

/** True when the shared data folder is present. */
export const HAS_DATA = existsSync(DATA_DIR);

/** What is missing and how to get it, in one line (README "Real-data tests" says more). */
export const DATA_MISSING = `needs the real reference data at ${DATA_DIR} (not found): put the medimg reference data folder at ../shared/data beside the repository (README "Real-data tests")`;

/**
 * `describe` for tests that need ../shared/data. Without it the suite is reported as one skipped
 * test and one line is printed; `fn` is never called, so a suite body that reads its files at
 * collection time cannot fail with ENOENT. With CI set, the absence is a hard failure, so
 * real-data tests never skip silently in CI.
 */
export function describeData(name: string, fn: () => void): void {
  if (HAS_DATA) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('has its real test data', () => {
        throw new Error(`CI is set but the real test data folder ${DATA_DIR} is missing.`);
      });
    });
    return;
  }
  console.log(`skipped "${name}": ${DATA_MISSING}`);
  describe(name, () => {
    it.skip(DATA_MISSING, () => {});
  });
}
