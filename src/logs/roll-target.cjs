'use strict';
// The log's transport target, run in pino's worker thread: pino-roll, which also ends on a message.
// thread-stream's own end() makes the caller's thread wait (Atomics.wait) until the worker has closed
// the file; on `options.endMessage` the worker closes it on its own and exits, and the caller, which
// has already drained the buffer with an asynchronous flush, is told by the exit. Plain CommonJS so
// the worker loads it as it is, from the sources as from the build.
const { parentPort } = require('node:worker_threads');

module.exports = async function rollTarget(options) {
  const { endMessage, ...rollOptions } = options;
  const destination = await require('pino-roll')(rollOptions);
  if (parentPort && typeof endMessage === 'string') {
    parentPort.on('message', (message) => {
      if (message && message.code === endMessage) destination.end();
    });
  }
  return destination;
};
