export type { LogLevel, LogLine, TailLine } from './types.js';
export {
  CURRENT_LOG_SYMLINK,
  DEFAULT_LOG_NAME,
  LOG_EXTENSION,
  logFileName,
  parsePinoRollName,
  parseDesktopLogName,
  type PinoRollName,
  type DesktopLogName,
} from './file-naming.js';
export { createLogger, type CreateLoggerOptions, type DiagLogger } from './logger.js';
export { SECRET_KEYS, secretRedactPaths } from './redact-paths.js';
export { discoverLogFiles, orderLogFiles, type LogFile, type LogFileKind } from './discover.js';
export {
  readLastLines,
  nodeTailFileSystem,
  type ReadLastLinesOptions,
  type ReadLastLinesResult,
  type TailFileSystem,
  type TailFileHandle,
} from './read-last-lines.js';
export { DEFAULT_MAX_LINE_BYTES, cutMarker } from './line-cut.js';
export { parseLogLine, parseLogLineWithFields, parseLevelName, levelRank, LOG_LEVELS, type ParsedLogLine } from './parse-line.js';
export { followLogs, type FollowLogsOptions } from './follow.js';
