import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { Clock } from '../clock.js';
import { DiagError } from '../errors.js';
import { DEFAULT_LOG_NAME, LOG_EXTENSION, logFileName } from './file-naming.js';
import { LOG_END_MESSAGE } from './log-end-message.js';
import { REDACT_CENSOR, SECRET_KEYS, secretRedactPaths } from './redact-paths.js';

export interface CreateLoggerOptions {
  logDir: string;
  /** Base name of the files: `<name>[.<date>].<N>.log`. Default `app`. */
  name?: string;
  level?: LevelWithSilent;
  /** Roll when a file reaches this size (pino-roll syntax: `10m`, `512k`, a number is MB). Default `10m`. */
  size?: string | number;
  /** Roll daily, hourly, or every N ms. Default `daily`; null for size only. */
  frequency?: 'daily' | 'hourly' | number | null;
  /** date-fns format of the date segment when rolling by time. Default `yyyy-MM-dd`; null for none. */
  dateFormat?: string | null;
  /** Files kept besides the one being written; older ones are deleted on roll. Default 9. */
  limit?: number;
  /** Keep a `current.log` symlink to the file being written. Default true, except on Windows. */
  symlink?: boolean;
  /** Keys redacted at any depth besides the known secret keys. */
  redactKeys?: readonly string[];
  /** Fields on every record (pino `base`). Default pino's (pid, hostname). */
  base?: Record<string, unknown> | null;
  /** Called with transport errors (the worker died, the disk is full); the logger never throws them. */
  onError?: (error: Error) => void;
}

export interface DiagLogger {
  logger: Logger;
  logDir: string;
  name: string;
  /** The name of file number `number` (and `date`), as pino-roll writes it here. */
  fileName(number: number, date?: string | null): string;
  /**
   * Flushes every record to disk and stops the worker thread; resolves after it exits or, when
   * `timeoutMs` pass on `clock` (default: real time) first, stops the worker where it is.
   */
  close(options?: LoggerCloseOptions): Promise<void>;
}

export interface LoggerCloseOptions {
  timeoutMs?: number;
  /** Whose time the timeout is measured in (a service closes by its own clock). */
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

const realTimers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
  // Not unref'd: a caller awaiting close() wants the process kept alive until the worker exits
  // (the worker itself is unref'd by pino), and the timeout bounds that wait.
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The transport stream pino.transport returns (thread-stream), as far as closing needs it. */
interface TransportStream extends NodeJS.EventEmitter {
  /** Asynchronous: the worker has written everything buffered so far to its destination. */
  flush(callback: (error?: Error) => void): void;
  /** Synchronous: waits on the main thread (Atomics.wait) until the worker has closed its file. */
  end(): void;
  readonly closed?: boolean;
  readonly worker?: { terminate(): Promise<number>; postMessage(message: unknown): void };
}

/**
 * A pino logger writing JSON lines through pino-roll in a worker thread, rotating by size and/or
 * time, keeping `limit` old files, with known secret keys redacted before they reach disk.
 */
export function createLogger(options: CreateLoggerOptions): DiagLogger {
  return loggerOver(startTransport(options), options);
}

/**
 * createLogger in two turns of the event loop: the worker thread starts in the first, the logger is
 * made in the next (compiling its redaction takes tens of ms), so neither holds the caller's loop long.
 */
export async function openLogger(options: CreateLoggerOptions): Promise<DiagLogger> {
  const started = startTransport(options);
  await new Promise((resolve) => setImmediate(resolve));
  return loggerOver(started, options);
}

interface StartedTransport {
  transport: TransportStream;
  logDir: string;
  name: string;
  onError: (error: Error) => void;
}

/** Makes the log dir and starts pino-roll in pino's worker thread. */
function startTransport(options: CreateLoggerOptions): StartedTransport {
  const name = options.name ?? DEFAULT_LOG_NAME;
  const logDir = path.resolve(options.logDir);
  // Created here: pino-roll's worker crashes when the dir is missing and mkdir and symlink are both on
  // (it makes the symlink before sonic-boom's asynchronous mkdir has run).
  try {
    mkdirSync(logDir, { recursive: true });
  } catch (error) {
    throw new DiagError('IO', `cannot create log dir ${logDir}: ${(error as Error).message}`, { cause: error });
  }

  const frequency = options.frequency === undefined ? 'daily' : options.frequency;
  const dateFormat = frequency === null ? null : options.dateFormat === undefined ? 'yyyy-MM-dd' : options.dateFormat;
  const rollOptions: Record<string, unknown> = {
    file: path.join(logDir, name),
    extension: LOG_EXTENSION,
    size: options.size ?? '10m',
    mkdir: true,
    // Off by default on Windows: creating a symlink there needs a privilege most users lack, and
    // pino-roll makes it inside its worker, where the failure would kill the transport.
    symlink: options.symlink ?? process.platform !== 'win32',
  };
  if (frequency !== null) rollOptions.frequency = frequency;
  if (dateFormat) rollOptions.dateFormat = dateFormat;
  const limit = options.limit ?? 9;
  // removeOtherLogFiles: also prune files left by earlier runs, not only this process's own.
  if (limit > 0) rollOptions.limit = { count: limit, removeOtherLogFiles: true };

  // pino-roll, wrapped so the worker can end without the caller's thread waiting (roll-target.cjs).
  // An absolute path: pino would otherwise resolve the target relative to the caller's file.
  const target = fileURLToPath(new URL('./roll-target.cjs', import.meta.url));
  const transport = pino.transport({ target, options: { ...rollOptions, endMessage: LOG_END_MESSAGE.code } }) as unknown as TransportStream;
  const onError = options.onError ?? (() => undefined);
  transport.on('error', (error: Error) => onError(error));
  return { transport, logDir, name, onError };
}

/** The pino logger writing to a started transport, with known secret keys redacted. */
function loggerOver({ transport, logDir, name, onError }: StartedTransport, options: CreateLoggerOptions): DiagLogger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      redact: { paths: secretRedactPaths([...SECRET_KEYS, ...(options.redactKeys ?? [])]), censor: REDACT_CENSOR },
      ...(options.base === undefined ? {} : { base: options.base }),
    },
    transport as unknown as pino.DestinationStream,
  );

  let closing: Promise<void> | undefined;
  const close = ({ timeoutMs = 5000, clock = realTimers }: LoggerCloseOptions = {}): Promise<void> => {
    closing ??= closeTransport(transport, timeoutMs, clock, onError);
    return closing;
  };

  return {
    logger,
    logDir,
    name,
    fileName: (number, date = null) => logFileName(name, number, { date, extension: LOG_EXTENSION }),
    close,
  };
}

/**
 * Ends the transport without holding the caller's event loop. thread-stream's end() waits on the
 * caller's thread (Atomics.wait) until the worker has read everything and closed its file (a busy
 * log meant hundreds of ms on the main thread), so the buffer is drained with the asynchronous
 * flush, then the worker is asked to close the file and exit on its own (roll-target.cjs); the
 * stream closes when it has. A worker that cannot finish within the budget is terminated instead.
 */
function closeTransport(transport: TransportStream, timeoutMs: number, clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, onError: (error: Error) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (transport.closed) return resolve();
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      resolve();
    };
    const timer = clock.setTimeout(() => {
      void transport.worker?.terminate().catch(() => undefined);
      finish();
    }, timeoutMs);
    transport.once('close', finish);
    try {
      transport.flush((error) => {
        if (settled) return;
        if (error) onError(error);
        try {
          // Everything written is in the file: the worker closes it and exits, which closes the stream.
          if (transport.worker) transport.worker.postMessage(LOG_END_MESSAGE);
          else transport.end();
        } catch (endError) {
          onError(endError as Error);
          finish();
        }
      });
    } catch (error) {
      onError(error as Error);
      finish();
    }
  });
}
