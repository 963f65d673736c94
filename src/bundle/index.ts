/** Crash bundles: redaction, format v1 manifest, builder, re-packer, reader/verifier. */
export { createRedactor, addCounts, type Redactor, type RedactorOptions, type RedactionSession, type RedactionCounts } from './redactor.js';
export { DEFAULT_RULES, EXAMPLE_CONTEXT, marker, type RedactionRule, type RedactionContext, type RuleExample } from './redaction-rules.js';
export { secretKeyRule, type SecretKeyRule } from './secret-keys.js';
export {
  bundleManifestSchema,
  BUNDLE_ENTRIES,
  BUNDLE_FORMAT_VERSION,
  REQUIRED_FILES,
  OPTIONAL_FILES,
  type BundleManifest,
  type ManifestFile,
  type ManifestIncident,
  type ManifestTruncation,
} from './manifest.js';
export { DEFAULT_BUNDLE_BOUNDS, resolveBounds, type BundleBounds } from './bounds.js';
export { bundleFileName, MANUAL_BUNDLE_PREFIX } from './bundle-name.js';
export { collectSystemInfo, nodeSystemSource, type SystemInfo, type SystemSource, type AppInfo } from './system-info.js';
export {
  buildBundle,
  cutLine,
  type BundleInput,
  type BundleFingerprint,
  type BuildBundleOptions,
  type BuiltBundle,
  type BundleProgress,
} from './builder.js';
export { repackBundle, type RepackOptions } from './repack.js';
export { inspectBundle, unsafeNameReasons, type InspectOptions, type InspectResult } from './inspect.js';
export { readZip, type ZipContents, type ZipEntryInfo, type ReadZipOptions } from './zip-reader.js';
