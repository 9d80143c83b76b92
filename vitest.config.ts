import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Files that take minutes (a real 256^3 model on cpu and wasm; Chromium running models) start
// first: started late, the longest one finishes alone on one core while the other idles.
const LONG_FILES = ['test/tasks/brain-models.test.ts', 'test/e2e/browser-viewer.test.ts'];

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONG_FILES.findIndex((p) => f.moduleId.replaceAll('\\', '/').endsWith(p));
      return i < 0 ? LONG_FILES.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)); // stable: the rest keep Vitest's order
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // one Orthanc (DICOMweb) for the run, loaded with real series; see the file
    globalSetup: ['test/setup/orthanc.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest runs cores - 1 files at once: on the 2 cores CI has, one file at a time while most
    // files keep one core busy. Two at a time on 2 cores; tests that share a service use their own
    // names (queues, series descriptions, temporary folders), so they do not see each other.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongFilesFirst },
  },
});
