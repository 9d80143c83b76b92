import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

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
  },
});
