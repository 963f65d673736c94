/**
 * codex-diag's embed API. Importing this module is cheap: the state store, logger, zip writer and
 * Sentry client are loaded on first use, never here.
 */
export * from './diagnostics/index.js';
export { DiagError, ExitCode, type DiagErrorCode } from './errors.js';
export { defaultDataDir, defaultLogDir, resolveDsn } from './paths.js';
export type { Clock } from './clock.js';
export type { LogLevel, LogLine } from './logs/types.js';
