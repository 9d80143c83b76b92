import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // one Orthanc (DICOMweb) for the run, loaded with real series; see the file
    globalSetup: ['test/setup/orthanc.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
