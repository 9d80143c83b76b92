/** The package version, recorded in every result's provenance. Kept in sync by a test. */
export const VERSION = '0.1.0';
