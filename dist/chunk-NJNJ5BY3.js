#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));

// src/stop.ts
var EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };
var exitCodeOf = (signal) => EXIT_CODES[signal];
var StoppedError = class extends Error {
  constructor(signal, message = `stopped by ${signal}`) {
    super(message);
    this.signal = signal;
  }
  signal;
  name = "StoppedError";
};
var controller = new AbortController();
var cleanups = /* @__PURE__ */ new Set();
var graceful = 0;
var recovery;
var received;
var writeLine = (line) => process.stderr.write(`${line}
`);
var stopSignal = controller.signal;
var stoppedBy = () => received;
function throwIfStopped() {
  if (received) throw new StoppedError(received);
}
function onStop(cleanup) {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
async function stopGracefully(recover, work) {
  graceful++;
  const before = recovery;
  recovery = recover;
  try {
    return await work();
  } finally {
    graceful--;
    recovery = before;
  }
}
var cleanupRecovery;
function installStopHandlers(write, afterCleanup) {
  if (write) writeLine = write;
  cleanupRecovery = afterCleanup;
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void onSignal(signal));
}
async function onSignal(signal) {
  if (received) {
    writeLine(`${signal} again: exiting now${recovery ? `; to finish what was stopped, run: ${recovery}` : ""}`);
    process.exit(exitCodeOf(received));
  }
  received = signal;
  controller.abort(new StoppedError(signal));
  if (graceful > 0) {
    writeLine(`${signal}: stopping at the next safe point (a second signal exits at once)`);
    return;
  }
  writeLine(`${signal}: cleaning up, then exiting`);
  recovery = cleanupRecovery;
  await runCleanups();
  process.exit(exitCodeOf(signal));
}
async function runCleanups(limitMs = 5e3) {
  const pending = [...cleanups];
  cleanups.clear();
  await Promise.all(pending.map((c) => Promise.race([Promise.resolve().then(c).catch(() => void 0), new Promise((r) => setTimeout(r, limitMs).unref())])));
}

export {
  exitCodeOf,
  StoppedError,
  stopSignal,
  stoppedBy,
  throwIfStopped,
  onStop,
  stopGracefully,
  installStopHandlers,
  runCleanups
};
