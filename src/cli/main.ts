#!/usr/bin/env node
import { defaultIo, reportError } from './context.js';
import { runCli } from './program.js';

const io = defaultIo();
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(io, error);
  },
);
