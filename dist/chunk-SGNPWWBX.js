#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  UNFINISHED,
  connectHelm,
  imagesOf,
  label,
  listRecords,
  matches,
  presentRelease,
  putBack,
  recoverCommand,
  releaseRequest,
  snapshotConfigMap,
  snapshotWorkload,
  updateRecord,
  watchRollouts,
  withReleaseLock
} from "./chunk-RUQYB4MS.js";
import "./chunk-WGYGLQRU.js";
import {
  connectKube,
  loadKubeConfig
} from "./chunk-H4Z5DEF4.js";
import {
  releaseGate
} from "./chunk-VTPWZORT.js";
import "./chunk-7E7MM5J4.js";
import "./chunk-55SI5XW5.js";
import "./chunk-3P7JFNUS.js";
import {
  terminalLogger
} from "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import {
  credentialsOnce
} from "./chunk-YMHZUKT3.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import {
  StoppedError,
  stoppedBy
} from "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/kube/rollback.ts
async function rollbackRelease(cluster, request, verify, log, helm) {
  if (request.dryRun) {
    const target = pick(await history(cluster, request));
    return target ? plan(cluster, request, target, true) : { changes: [], dryRun: true, rollouts: [] };
  }
  return withReleaseLock(cluster, request, "rollback", log, async (holder) => {
    const target = pick(await history(cluster, request));
    if (!target) return { changes: [], dryRun: false, rollouts: [] };
    const outcome = await plan(cluster, request, target, false);
    if (target.strategy === "helm") return helmRollback(cluster, helm, target, request, verify, log, holder);
    if (target.status === "rolled-back" && outcome.changes.length === 0) return outcome;
    const unfinished = UNFINISHED.has(target.status);
    if (unfinished) log.warn(`revision ${target.revision} (${target.image}) was left '${target.status}' by ${target.holder}: finishing it, every object back on its state before it`);
    const verification = await verify(imagesOf(target.before));
    const done = unfinished ? target.undo ?? "failed" : "rolled-back";
    const back = await putBack(cluster, target, request, log, { done, watchAll: true, note: `${unfinished ? "finished" : "rolled back"} by ${holder}; release gate: ${verification}` });
    outcome.rollouts = back.restored;
    if (back.done) return outcome;
    const signal = stoppedBy();
    if (signal && back.status === "rollback-pending") throw new StoppedError(signal, `stopped by ${signal}: every object is back on its state before revision ${target.revision}; its rollouts were not watched to the end. To finish: ${recoverCommand(request)}`);
    const failed = [...back.reports.filter((r) => r.state === "unknown").map((r) => `${r.what}: ${r.detail}`), ...back.restored.filter((r) => !r.ok).map((r) => `${label(r.ref)}: ${r.message}`)];
    throw new DagshipError(
      `rollback of release '${request.release}' to its state before revision ${target.revision} did not finish (recorded as ${back.status}):
${failed.map((l) => `  ${l}`).join("\n")}`,
      `fix what is listed (an old image that no longer starts?), then run ${recoverCommand(request)} again`,
      back.status === "rollback-failed" ? "infra" : "gate"
    );
  });
}
async function history(cluster, request) {
  const records = await listRecords(cluster, request.namespace, request.release);
  if (records.length === 0) {
    throw new DagshipError(
      `nothing to roll back: release '${request.release}' in '${request.namespace}' has no dagship release record`,
      "rollback returns to the state recorded by the last `dagship deploy` of this release; to go back by hand, deploy the image you want (its dagship.io/previous-image annotation names the one before)",
      "config"
    );
  }
  return records;
}
function pick(records) {
  return UNFINISHED.has(records[0].status) ? records[0] : records.find((r) => r.status !== "failed");
}
async function plan(cluster, request, record, dryRun) {
  const changes = [];
  for (const state of record.before) {
    const now = await current(cluster, request.namespace, state);
    if (now && !matches(state, now)) changes.push({ kind: state.kind, name: state.name, lines: differences(now, state) });
  }
  return { changes, dryRun, rollouts: [], revision: record.revision };
}
async function current(cluster, namespace, state) {
  if (state.kind === "ConfigMap") {
    const cm = await cluster.readConfigMap(namespace, state.name);
    return cm && snapshotConfigMap(cm);
  }
  return snapshotWorkload(await cluster.readWorkload({ kind: state.kind, name: state.name, namespace }));
}
function differences(now, target) {
  if (target.kind === "ConfigMap") return Object.keys(target.data ?? {}).filter((k) => now.data?.[k] !== target.data?.[k]).map((k) => `${k}: back to its state before the deploy`);
  const lines = [];
  for (const [what, list] of [["init container", "initContainers"], ["container", "containers"]]) {
    for (const c of target[list] ?? []) {
      const other = now[list]?.find((x) => x.name === c.name);
      if (other && other.image !== c.image) lines.push(`${what} ${c.name}: ${other.image} \u2192 ${c.image}`);
      else if (other && JSON.stringify(other.env ?? []) !== JSON.stringify(c.env ?? [])) lines.push(`${what} ${c.name}: env back to its state before the deploy`);
    }
  }
  return lines;
}
async function helmRollback(cluster, helm, record, request, verify, log, holder) {
  if (!helm || record.helmRevision === void 0) {
    throw new DagshipError(`release record ${record.revision} was written by a helm-strategy deploy`, "run rollback with --strategy helm (helm must be on PATH or in DAGSHIP_HELM)", "usage");
  }
  const status = await helm.status(request.release, request.namespace);
  const outcome = { changes: [], dryRun: false, rollouts: [], revision: record.revision };
  if (record.status === "rolled-back") return outcome;
  const verification = await verify(imagesOf(record.before));
  outcome.changes.push({ kind: "HelmRelease", name: request.release, lines: [`helm rollback from revision ${status?.revision ?? "?"} to ${record.helmRevision}`] });
  log.warn(`rolling release ${request.release} back to Helm revision ${record.helmRevision}`);
  await helm.rollback(request.release, request.namespace, record.helmRevision, request.timeoutMs);
  const refs = record.before.flatMap((s) => s.kind === "ConfigMap" ? [] : [{ kind: s.kind, name: s.name, namespace: request.namespace }]);
  outcome.rollouts = await watchRollouts(cluster, refs, { timeoutMs: request.timeoutMs, intervalMs: request.intervalMs }, log);
  const ok = outcome.rollouts.every((r) => r.ok);
  await updateRecord(cluster, record, { status: ok ? "rolled-back" : "rollback-pending", notes: [...record.notes, `${(/* @__PURE__ */ new Date()).toISOString()} helm rollback to ${record.helmRevision} by ${holder}; release gate: ${verification}`] });
  if (!ok) throw new DagshipError(`helm rollback to revision ${record.helmRevision} did not roll out: ${outcome.rollouts.filter((r) => !r.ok).map((r) => `${label(r.ref)} ${r.message}`).join("; ")}`, `fix what is listed, then run ${recoverCommand(request)} again`, "gate");
  return outcome;
}

// cli/commands/rollback.ts
async function rollback(flags) {
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  const cluster = connectKube(loadKubeConfig(flags.context), request.deadline);
  const credentialsFor = credentialsOnce({ cwd: process.cwd() });
  const verify = async (images) => {
    const results = [];
    for (const image of images) results.push(await releaseGate(image, flags, log, credentialsFor));
    return [...new Set(results)].join("; ");
  };
  const outcome = await rollbackRelease(cluster, request, verify, log, connectHelm({ context: flags.context, cwd: process.cwd() }));
  presentRelease(outcome, outcome.revision ? `release '${request.release}' is already on its state before revision ${outcome.revision}` : `no deploy of release '${request.release}' took effect: its last deploys failed and were undone`, log);
  return 0;
}
export {
  rollback
};
