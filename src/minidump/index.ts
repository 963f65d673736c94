/** Crashpad minidumps: reader, summary, in-place scrubber. */
export { readMinidump, tryReadMinidump } from './read-minidump.js';
export { summarise, summariseMinidump, annotationMap, annotatedPid, type MinidumpSummary } from './summary.js';
export { scrubMinidump, scrubMinidumpPaced, type ScrubStats } from './scrub.js';
export { createSecretFinder, type SecretFinder, type SecretFinderOptions } from './secret-finder.js';
export { replacedSpans, type Span } from './replaced-spans.js';
export type * from './types.js';
export { listDumpFiles, REPORT_SUBDIRS, type DumpFile } from './crash-dir.js';
export { findDumpForIncident, processTypeOf, type DumpQuery, type MatchedDump, type MatchOptions } from './match-dump.js';
export { boundCrashDir, DEFAULT_CRASH_DIR_BOUNDS, type CrashDirBounds, type CrashDirCleanup, type DeletionReason } from './crash-dir-bounds.js';
export { locateDumpForIncident, CRASH_REPORT_ID_FIELD, type LocatedDump } from './dump-for-incident.js';
