#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));

// src/runs.ts
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
var RUN_LABELS = {
  command: "io.dagship.command",
  host: "io.dagship.host",
  pid: "io.dagship.pid",
  /** The process's start time (clock ticks since boot, /proc/<pid>/stat): a reused pid is another process. */
  pidStart: "io.dagship.pid-start"
};
var STALE_AFTER_MS = 6 * 36e5;
var command = "dagship";
function setRunCommand(name) {
  command = name;
}
function runLabels() {
  return {
    [RUN_LABELS.command]: command,
    [RUN_LABELS.host]: hostname(),
    [RUN_LABELS.pid]: String(process.pid),
    [RUN_LABELS.pidStart]: processStart(process.pid) ?? ""
  };
}
var started = 0;
function runContainerName() {
  return `dagship-${command}-${process.pid}-${++started}-${randomBytes(2).toString("hex")}`;
}
function processStart(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return void 0;
  }
}
var thisMachine = {
  host: hostname(),
  started(pid) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if (err.code !== "EPERM") return void 0;
    }
    return processStart(pid) ?? "unknown";
  }
};
function leftoverReason(labels, ageMs, probe = thisMachine) {
  const pid = Number(labels[RUN_LABELS.pid]);
  const host = labels[RUN_LABELS.host];
  if (host === probe.host && Number.isInteger(pid) && pid > 0) {
    const started2 = probe.started(pid);
    if (started2 === void 0) return `its dagship process ${pid} is gone`;
    const recorded = labels[RUN_LABELS.pidStart];
    if (recorded && started2 !== "unknown" && started2 !== recorded) return `pid ${pid} is now another process`;
    return void 0;
  }
  if (ageMs > STALE_AFTER_MS) return `started ${Math.round(ageMs / 36e5)} h ago${host ? ` on ${host}` : ""}`;
  return void 0;
}

export {
  RUN_LABELS,
  setRunCommand,
  runLabels,
  runContainerName,
  thisMachine,
  leftoverReason
};
