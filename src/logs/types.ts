/** Levels as bundles and `tail --json` name them; `unknown` for lines that carry none. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unknown';

/** One raw line as read from a file (already cut and decoded), oldest-first order by position. */
export interface TailLine {
  /** The file it came from, relative to the log dir, with `/` separators. */
  source: string;
  /** The line's text without the trailing newline; invalid UTF-8 already U+FFFD. */
  text: string;
}

/** A parsed line (contract: `tail --json` and `logs/tail.jsonl`). */
export interface LogLine {
  /** ISO-8601 time, or null when the line carries none. */
  time: string | null;
  level: LogLevel;
  msg: string;
  source: string;
  /** The raw line text. */
  line: string;
}
