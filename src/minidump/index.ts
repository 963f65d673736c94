/** Crashpad minidumps: reader, summary, in-place scrubber. */
export { readMinidump, tryReadMinidump } from './read-minidump.js';
export { summarise, summariseMinidump, annotationMap, annotatedPid, type MinidumpSummary } from './summary.js';
export { scrubMinidump, type ScrubStats } from './scrub.js';
export { createSecretFinder, type SecretFinder, type SecretFinderOptions } from './secret-finder.js';
export { replacedSpans, type Span } from './replaced-spans.js';
export type * from './types.js';
