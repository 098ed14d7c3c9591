#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  ANNOTATIONS,
  CONFIG_KEYS,
  planConfigMap,
  planRelease,
  planWorkload,
  readRelease,
  requirePinned,
  restoreConfigMap,
  restoreWorkload
} from "./chunk-WGYGLQRU.js";
import {
  REQUEST_TIMEOUT_MS,
  V1MicroTime,
  statusCode
} from "./chunk-H4Z5DEF4.js";
import {
  run
} from "./chunk-WDFNAZ3S.js";
import {
  StoppedError,
  stopGracefully,
  stopSignal,
  stoppedBy,
  throwIfStopped
} from "./chunk-NJNJ5BY3.js";
import {
  parseDuration
} from "./chunk-HHFAD5KM.js";
import {
  tail
} from "./chunk-4L3VKM7L.js";
import {
  DagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/kube/rollout.ts
function rolloutState(w) {
  return w.kind === "Deployment" ? deploymentState(w.object) : statefulSetState(w.object);
}
function deploymentState(d) {
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return { phase: "progressing", message: "waiting for the controller to observe the new spec" };
  const progressing = s.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") return { phase: "failed", message: `progress deadline exceeded: ${progressing.message ?? ""}`.trim() };
  const want = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < want) return { phase: "progressing", message: `${updated} of ${want} updated replicas` };
  if ((s.replicas ?? 0) > updated) return { phase: "progressing", message: `${(s.replicas ?? 0) - updated} old replicas pending termination` };
  if ((s.availableReplicas ?? 0) < updated) return { phase: "progressing", message: `${s.availableReplicas ?? 0} of ${updated} updated replicas available` };
  return { phase: "done", message: `${updated} of ${want} replicas updated and available` };
}
function statefulSetState(st) {
  const s = st.status;
  if (!s || (s.observedGeneration ?? 0) < (st.metadata?.generation ?? 0)) return { phase: "progressing", message: "waiting for the controller to observe the new spec" };
  const want = st.spec?.replicas ?? 1;
  if ((s.readyReplicas ?? 0) < want) return { phase: "progressing", message: `${s.readyReplicas ?? 0} of ${want} pods ready` };
  const partition = st.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const done = (s.updatedReplicas ?? 0) >= want - partition;
    return done ? { phase: "done", message: `partitioned roll out complete` } : { phase: "progressing", message: `${s.updatedReplicas ?? 0} of ${want - partition} pods updated` };
  }
  if (s.updateRevision !== s.currentRevision || (s.updatedReplicas ?? 0) < want) {
    return { phase: "progressing", message: `${s.updatedReplicas ?? 0} of ${want} pods at revision ${s.updateRevision ?? "?"}` };
  }
  return { phase: "done", message: `${want} pods at revision ${s.updateRevision ?? "?"}` };
}

// src/kube/watch.ts
var label = (ref) => `${ref.kind.toLowerCase()}/${ref.name}`;
function watchRollouts(cluster, refs, options, log) {
  const deadline = Date.now() + options.timeoutMs;
  return Promise.all(refs.map((ref) => watchOne(cluster, ref, deadline, options, log)));
}
var POLL_BESIDE_WATCH_MS = 5e3;
async function watchOne(cluster, ref, deadline, options, log) {
  const intervalMs = options.intervalMs ?? 500;
  const { signal } = options;
  let answered = Date.now();
  let last = "";
  let pushed;
  let wake = () => void 0;
  const stop = await cluster.watchWorkload?.(ref, (w) => {
    pushed = w;
    wake();
  }).catch((err) => {
    log.debug(`${label(ref)}: cannot watch (${reasonOf(err)}); polling every ${intervalMs} ms`);
    return void 0;
  });
  const pause2 = stop ? POLL_BESIDE_WATCH_MS : intervalMs;
  try {
    for (; ; ) {
      if (signal?.aborted) return { ref, ok: false, message: `stopped: ${last || "not watched"}` };
      const workload = pushed ?? await readOrWait(cluster, ref, log);
      pushed = void 0;
      if (workload) answered = Date.now();
      else if (Date.now() >= deadline || options.unansweredMs !== void 0 && Date.now() - answered >= options.unansweredMs) {
        return { ref, ok: false, message: `the API server did not answer for ${Math.round((Date.now() - answered) / 1e3)}s: ${last || "rollout not seen"}` };
      }
      if (workload) {
        const state = rolloutState(workload);
        if (state.message !== last) log.info(`  ${label(ref)}: ${state.message}`);
        last = state.message;
        if (state.phase === "done") return { ref, ok: true, message: state.message };
        if (state.phase === "failed") return { ref, ok: false, message: state.message };
        if (Date.now() >= deadline) return { ref, ok: false, message: `timed out: ${state.message}` };
      }
      if (pushed) continue;
      await new Promise((resolve) => {
        const timer = setTimeout(done, Math.min(pause2, Math.max(0, deadline - Date.now())));
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
        wake = done;
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  } finally {
    stop?.();
  }
}
function readOrWait(cluster, ref, log) {
  return cluster.readWorkload(ref).catch((err) => {
    if (!(err instanceof DagshipError && err.kind === "infra")) throw err;
    log.debug(`${label(ref)}: ${err.message}; trying again`);
    return void 0;
  });
}

// src/kube/apply.ts
var ATTEMPTS = 16;
async function withConflictRetry(what, log, attempt) {
  for (let i = 0; ; i++) {
    try {
      return await attempt(i === 0);
    } catch (err) {
      if (statusCode(err) !== 409 || i + 1 >= ATTEMPTS) throw conflictError(err, what);
      log.info(`  ${what} changed meanwhile (409 Conflict): reading it again`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20 * (i + 1)));
    }
  }
}
function conflictError(err, what) {
  if (statusCode(err) !== 409) return err;
  return new DagshipError(`${what} kept changing while dagship patched it (${ATTEMPTS} conflicts)`, "another controller or person is writing it: stop them and deploy again", "infra", { cause: err });
}
async function applyChange(cluster, state, change, meta, log) {
  const what = label(change);
  const { namespace } = state;
  if (change.kind === "ConfigMap") {
    return withConflictRetry(what, log, async (first) => {
      const before = first ? state.configMap : await cluster.readConfigMap(namespace, change.name);
      const p = before && planConfigMap(before, state.repos, change.target, meta);
      if (!p) return false;
      await cluster.patchConfigMap(namespace, change.name, p.patch);
      return true;
    });
  }
  const ref = { kind: change.kind, name: change.name, namespace };
  return withConflictRetry(what, log, async (first) => {
    const before = first ? state.workloads.find((w) => w.kind === ref.kind && w.name === ref.name) : await cluster.readWorkload(ref);
    const p = planWorkload(before, state.repos, change.target, meta);
    if (!p) return false;
    await cluster.patchWorkload(ref, p.patch);
    return true;
  });
}
async function forceStatefulSetRollback(cluster, statefulSet, revision, log) {
  const selector = { ...statefulSet.object.spec?.selector.matchLabels ?? {}, "controller-revision-hash": revision };
  const deleted = await cluster.deleteUnreadyPods(statefulSet.namespace, selector);
  if (deleted.length > 0) log.info(`  ${label(statefulSet)}: deleted pods stuck on the failed revision: ${deleted.join(", ")}`);
}

// src/kube/deadline.ts
var MIN_REQUEST_MS = 1e3;
var PhaseDeadline = class {
  end = Number.POSITIVE_INFINITY;
  /** The current phase ends `ms` from now. */
  phase(ms) {
    this.end = Date.now() + ms;
    return this;
  }
  remainingMs() {
    return Math.max(0, this.end - Date.now());
  }
  requestTimeoutMs() {
    return Math.max(MIN_REQUEST_MS, Math.min(REQUEST_TIMEOUT_MS, this.end - Date.now()));
  }
};

// src/kube/lease.ts
import { hostname } from "node:os";
var leaseName = (release) => `${release}-dagship`;
var LEASE_SECONDS = 30;
async function acquireReleaseLock(cluster, request, log) {
  const { namespace } = request;
  const name = leaseName(request.release);
  const seconds2 = request.leaseSeconds ?? LEASE_SECONDS;
  const holder = `${request.purpose} by ${process.env.GITHUB_ACTOR ? `${process.env.GITHUB_ACTOR} (${process.env.GITHUB_REPOSITORY ?? ""} run ${process.env.GITHUB_RUN_ID ?? "?"})` : `${process.env.USER ?? "unknown"}@${hostname()} pid ${process.pid}`}`;
  const started = Date.now();
  let seen;
  let said = false;
  for (; ; ) {
    throwIfStopped();
    const current = await cluster.readLease(namespace, name);
    const free = !current?.spec?.holderIdentity;
    const version = current?.metadata?.resourceVersion ?? "";
    if (seen?.version !== version) seen = { version, since: Date.now() };
    const expired = Date.now() - seen.since > (current?.spec?.leaseDurationSeconds ?? seconds2) * 1e3;
    if (free || expired) {
      if (!free) log.warn(`taking over the release lock from '${current.spec.holderIdentity}': not renewed for ${current?.spec?.leaseDurationSeconds ?? seconds2}s (its process is gone)`);
      const mine = await tryWrite(cluster, namespace, leaseBody(name, holder, seconds2, current));
      if (mine) return held(cluster, namespace, mine, seconds2, log);
      continue;
    }
    if (Date.now() - started >= request.waitMs) {
      throw new DagshipError(
        `release '${request.release}' is locked by another deploy or rollback: ${current.spec.holderIdentity} (lease ${namespace}/${name}, renewed ${current?.spec?.renewTime ? new Date(current.spec.renewTime).toISOString() : "never"})`,
        `wait for it to finish and try again, or raise --lock-timeout (now ${Math.round(request.waitMs / 1e3)}s); a killed holder's lock is taken over ${seconds2}s after its last renewal`,
        "infra"
      );
    }
    if (!said) log.info(`waiting up to ${Math.round(request.waitMs / 1e3)}s for the release lock, held by ${current.spec.holderIdentity}`);
    said = true;
    await pause(Math.min(1e3, seconds2 * 250));
  }
}
function leaseBody(name, holder, seconds2, current) {
  const now = new V1MicroTime();
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, resourceVersion: current?.metadata?.resourceVersion, labels: { "app.kubernetes.io/managed-by": "dagship" } },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: seconds2,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (current ? 1 : 0)
    }
  };
}
async function tryWrite(cluster, namespace, body2) {
  try {
    return await cluster.writeLease(namespace, body2);
  } catch (err) {
    if (statusCode(err) === 409) return void 0;
    throw err;
  }
}
function held(cluster, namespace, lease, seconds2, log) {
  let current = lease;
  let lost;
  let released = false;
  const renew = async () => {
    try {
      current = await cluster.writeLease(namespace, { ...current, spec: { ...current.spec, renewTime: new V1MicroTime() } });
    } catch (err) {
      if (released) return;
      if (statusCode(err) === 409) {
        const other = await cluster.readLease(namespace, current.metadata.name).catch(() => void 0);
        lost = other?.spec?.holderIdentity ?? "unknown";
        log.warn(`the release lock was taken over by ${lost}`);
        clearInterval(timer);
      } else {
        log.debug(`renewing the release lock failed: ${reasonOf(err)}; trying again`);
      }
    }
  };
  const timer = setInterval(() => void renew(), seconds2 * 1e3 / 3);
  timer.unref();
  return {
    holder: lease.spec.holderIdentity,
    lost: () => lost,
    async release() {
      released = true;
      clearInterval(timer);
      if (lost) return;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const now = attempt === 0 ? current : await cluster.readLease(namespace, current.metadata.name);
          if (!now || now.spec?.holderIdentity !== lease.spec.holderIdentity) return;
          await cluster.writeLease(namespace, { ...now, spec: { ...now.spec, holderIdentity: void 0, renewTime: void 0, acquireTime: void 0 } });
          return;
        } catch (err) {
          if (statusCode(err) === 409) continue;
          log.warn(`could not free the release lock (${reasonOf(err)}): the next deploy takes it over ${seconds2}s from now`);
          return;
        }
      }
    }
  };
}
function pause(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stopSignal.removeEventListener("abort", done);
      resolve();
    }
    stopSignal.addEventListener("abort", done, { once: true });
  });
}

// src/kube/record.ts
var RECORD_SCHEMA = "dagship.io/release-record/v1";
var RECORD_KEY = "record.json";
var LABELS = { managedBy: "app.kubernetes.io/managed-by", release: "dagship.io/release", revision: "dagship.io/revision" };
var RECORDS_KEPT = 10;
var recordName = (release, revision) => `${release}-dagship-r${revision}`;
var pick = (c) => ({ name: c.name, image: c.image, ...c.env ? { env: c.env } : {} });
function ours(metadata) {
  return Object.fromEntries(Object.values(ANNOTATIONS).map((key) => [key, metadata?.annotations?.[key] ?? null]));
}
function snapshotWorkload(w) {
  const spec = w.object.spec?.template.spec;
  return {
    kind: w.kind,
    name: w.name,
    annotations: ours(w.object.metadata),
    containers: spec?.containers.map(pick) ?? [],
    ...spec?.initContainers ? { initContainers: spec.initContainers.map(pick) } : {},
    selector: w.object.spec?.selector.matchLabels ?? {},
    ...w.object.spec?.podManagementPolicy ? { podManagementPolicy: w.object.spec.podManagementPolicy } : {}
  };
}
function snapshotConfigMap(cm) {
  const data = Object.fromEntries(Object.values(CONFIG_KEYS).flatMap((k) => cm.data?.[k] !== void 0 ? [[k, cm.data[k]]] : []));
  return { kind: "ConfigMap", name: cm.metadata.name, annotations: ours(cm.metadata), data };
}
function snapshotRelease(state) {
  return [...state.workloads.map(snapshotWorkload), ...state.configMap ? [snapshotConfigMap(state.configMap)] : []];
}
function workloadOf(state, namespace) {
  const kind = state.kind;
  const object = {
    metadata: { name: state.name, annotations: Object.fromEntries(Object.entries(state.annotations).filter((e) => e[1] !== null)) },
    spec: {
      selector: { matchLabels: state.selector ?? {} },
      ...state.podManagementPolicy ? { podManagementPolicy: state.podManagementPolicy } : {},
      template: { spec: { containers: state.containers ?? [], ...state.initContainers ? { initContainers: state.initContainers } : {} } }
    }
  };
  return { kind, name: state.name, namespace, object };
}
function configMapOf(state) {
  const annotations = Object.fromEntries(Object.entries(state.annotations).filter((e) => e[1] !== null));
  return { metadata: { name: state.name, annotations }, data: state.data ?? {} };
}
function matches(state, now) {
  const same = (a = [], b = []) => a.every((c) => {
    const other = b.find((x) => x.name === c.name);
    return !other || other.image === c.image && JSON.stringify(other.env ?? []) === JSON.stringify(c.env ?? []);
  });
  if (state.kind === "ConfigMap") return Object.entries(state.data ?? {}).every(([k, v]) => now.data?.[k] === v);
  return same(state.containers, now.containers) && same(state.initContainers, now.initContainers);
}
function imagesOf(states) {
  const images = /* @__PURE__ */ new Set();
  for (const s of states) {
    const component = s.selector?.component;
    const main = s.containers?.find((c) => c.name === component) ?? s.containers?.[0];
    if (main?.image) images.add(main.image);
  }
  return [...images];
}
function parse(cm) {
  const text = cm.data?.[RECORD_KEY];
  const record = text ? JSON.parse(text) : void 0;
  if (record?.schema !== RECORD_SCHEMA) {
    throw new DagshipError(
      `release record ${cm.metadata?.name} has schema ${record?.schema ?? "none"}, not ${RECORD_SCHEMA}`,
      "it was written by another dagship version: use that version, or delete the record ConfigMap if the release is known to be consistent",
      "config"
    );
  }
  return record;
}
async function listRecords(cluster, namespace, release) {
  const maps = await cluster.listConfigMaps(namespace, `${LABELS.managedBy}=dagship,${LABELS.release}=${release}`);
  return maps.map(parse).sort((a, b) => b.revision - a.revision);
}
function body(record) {
  return {
    metadata: {
      name: recordName(record.release, record.revision),
      labels: { [LABELS.managedBy]: "dagship", [LABELS.release]: record.release, [LABELS.revision]: String(record.revision) }
    },
    data: { [RECORD_KEY]: JSON.stringify(record, null, 1) }
  };
}
async function createRecord(cluster, record) {
  await cluster.createConfigMap(record.namespace, body(record));
}
async function updateRecord(cluster, record, change) {
  Object.assign(record, change, { updatedAt: (/* @__PURE__ */ new Date()).toISOString() });
  await cluster.patchConfigMap(record.namespace, recordName(record.release, record.revision), { data: body(record).data });
  return record;
}
async function pruneRecords(cluster, records) {
  for (const old of records.slice(RECORDS_KEPT)) await cluster.deleteConfigMap(old.namespace, recordName(old.release, old.revision)).catch(() => void 0);
}

// src/kube/restore.ts
async function restoreRelease(cluster, before, namespace, log) {
  return Promise.all(before.map((state) => restoreObject(cluster, state, namespace, log).catch((err) => ({
    what: label(state),
    ...state.kind === "ConfigMap" ? {} : { ref: { kind: state.kind, name: state.name, namespace } },
    state: "unknown",
    detail: reasonOf(err)
  }))));
}
async function restoreObject(cluster, state, namespace, log) {
  const what = label(state);
  if (state.kind === "ConfigMap") {
    const restored = await withConflictRetry(what, log, async () => {
      const fresh = await cluster.readConfigMap(namespace, state.name);
      if (!fresh || matches(state, snapshotConfigMap(fresh))) return false;
      await cluster.patchConfigMap(namespace, state.name, restoreConfigMap(fresh, configMapOf(state)));
      return true;
    });
    return { what, state: restored ? "restored" : "unchanged" };
  }
  const ref = { kind: state.kind, name: state.name, namespace };
  const original = workloadOf(state, namespace);
  const moved = await withConflictRetry(what, log, async () => {
    const fresh = await cluster.readWorkload(ref);
    if (matches(state, snapshotWorkload(fresh))) return void 0;
    await cluster.patchWorkload(ref, restoreWorkload(fresh, original));
    return { revision: fresh.object.status?.updateRevision };
  });
  if (!moved) return { what, ref, state: "unchanged" };
  log.info(`  ${what}: put back`);
  if (state.kind === "StatefulSet" && state.podManagementPolicy !== "Parallel" && moved.revision) {
    await forceStatefulSetRollback(cluster, original, moved.revision, log);
  }
  return { what, ref, state: "restored" };
}
function describeReports(reports) {
  return reports.map((r) => `  ${r.what}: ${r.state === "unknown" ? `UNKNOWN (${r.detail})` : r.state === "restored" ? "put back on its state before the deploy" : "was not changed"}`);
}

// src/kube/deploy.ts
var ROLLBACK_MIN_MS = 6e4;
var AFTER_TIMEOUT_MS = { report: 5e3, restore: 2e4, unanswered: 1e4, record: 5e3, lock: 5e3 };
var AFTER_TIMEOUT_TOTAL_MS = Object.values(AFTER_TIMEOUT_MS).reduce((a, b) => a + b, 0);
var DEFAULT_LOCK_TIMEOUT_MS = 5 * 6e4;
var UNFINISHED = /* @__PURE__ */ new Set(["deploying", "rollback-pending", "rollback-failed"]);
var recoverCommand = (request) => `dagship rollback --release ${request.release} --namespace ${request.namespace}`;
async function deployRelease(cluster, image, request, log) {
  const pinned = requirePinned(image);
  const meta = { revision: request.revision ?? pinned.tag ?? pinned.digest, now: (/* @__PURE__ */ new Date()).toISOString(), verification: request.verification };
  const first = await readRelease(cluster, request.namespace, request.release);
  if (request.dryRun) return { changes: planRelease(first, () => image, meta), dryRun: true, rollouts: [] };
  return withReleaseLock(cluster, request, `deploy ${image}`, log, async (holder) => {
    const records = await finishUnfinished(cluster, request, log);
    const deadline = deadlineOf(request).phase(request.timeoutMs);
    log.info(`deadline: rollouts ${seconds(request.timeoutMs)}; if the API server stops answering, dagship gives up and exits within ${seconds(request.timeoutMs + AFTER_TIMEOUT_TOTAL_MS)}`);
    const state = await readRelease(cluster, request.namespace, request.release);
    const changes = planRelease(state, () => image, meta);
    if (changes.length === 0) return { changes, dryRun: false, rollouts: [] };
    const record = newRecord(state, records, { image, holder, strategy: "patch", verification: request.verification });
    await createRecord(cluster, record);
    await pruneRecords(cluster, records.slice(RECORDS_KEPT - 1));
    log.info(`release record ${record.revision}: starting state of ${record.before.length} objects kept in configmap ${request.release}-dagship-r${record.revision}`);
    return rollOut(cluster, state, changes, meta, record, request, deadline, log);
  });
}
function newRecord(state, records, what) {
  const now = (/* @__PURE__ */ new Date()).toISOString();
  return {
    schema: RECORD_SCHEMA,
    release: state.release,
    namespace: state.namespace,
    revision: (records[0]?.revision ?? 0) + 1,
    operation: "deploy",
    ...what,
    status: "deploying",
    startedAt: now,
    updatedAt: now,
    notes: [],
    before: snapshotRelease(state),
    extensions: {}
  };
}
async function withReleaseLock(cluster, request, purpose, log, work) {
  return stopGracefully(recoverCommand(request), async () => {
    const lock = await acquireReleaseLock(cluster, { namespace: request.namespace, release: request.release, purpose, waitMs: request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, leaseSeconds: request.leaseSeconds }, log);
    try {
      return await work(lock.holder);
    } finally {
      deadlineOf(request).phase(AFTER_TIMEOUT_MS.lock);
      await lock.release();
    }
  });
}
var seconds = (ms) => `${Math.round(ms / 1e3)}s`;
var deadlineOf = (request) => request.deadline ??= new PhaseDeadline();
async function finishUnfinished(cluster, request, log) {
  const records = await listRecords(cluster, request.namespace, request.release);
  const latest = records[0];
  if (!latest || !UNFINISHED.has(latest.status)) return records;
  log.warn(`revision ${latest.revision} (${latest.image}) was left '${latest.status}' by ${latest.holder}: first returning every object to its state before it`);
  deadlineOf(request).phase(Math.max(request.timeoutMs, ROLLBACK_MIN_MS));
  const back = await putBack(cluster, latest, request, log, { watchAll: true, done: latest.undo ?? "failed", note: "finished putting back" });
  if (!back.done) throw notBack(latest, back, request, `finishing the interrupted revision ${latest.revision}`);
  return records;
}
async function putBack(cluster, record, request, log, options) {
  const deadline = deadlineOf(request);
  deadline.phase(AFTER_TIMEOUT_MS.restore);
  log.warn(`putting every object of release '${record.release}' back on its state before revision ${record.revision}`);
  const reports = await restoreRelease(cluster, record.before, record.namespace, log);
  const unknown = reports.some((r) => r.state === "unknown");
  let restored = [];
  if (!unknown && !stoppedBy()) {
    const refs = reports.filter((r) => r.ref && (options.watchAll || r.state === "restored")).map((r) => r.ref);
    const timeoutMs = Math.max(request.timeoutMs, ROLLBACK_MIN_MS);
    deadline.phase(timeoutMs);
    if (refs.length > 0) log.info(`watching ${refs.length} rollouts back (timeout ${Math.round(timeoutMs / 1e3)}s)`);
    restored = await watchRollouts(cluster, refs, { timeoutMs, intervalMs: request.intervalMs, signal: stopSignal, unansweredMs: AFTER_TIMEOUT_MS.unanswered }, log);
  }
  const status = unknown ? "rollback-failed" : stoppedBy() || restored.some((r) => !r.ok) ? "rollback-pending" : options.done;
  deadline.phase(AFTER_TIMEOUT_MS.record);
  const note = `${(/* @__PURE__ */ new Date()).toISOString()} ${options.note ?? "put back"}: ${status}${unknown ? ` (${reports.filter((r) => r.state === "unknown").map((r) => `${r.what}: ${r.detail}`).join("; ")})` : ""}`;
  await updateRecord(cluster, record, { status, undo: status === options.done ? void 0 : options.done, notes: [...record.notes, note] }).catch((err) => log.warn(`could not write the outcome into release record ${record.revision}: ${reasonOf(err)}`));
  return { done: status === options.done, status, reports, restored };
}
async function rollOut(cluster, state, changes, meta, record, request, deadline, log) {
  const outcome = { changes, dryRun: false, rollouts: [], revision: record.revision };
  log.warn("dagship patches the workloads directly: the next `helm upgrade` without images.airflow.* set to this image reverts it");
  let failure;
  try {
    const results = await Promise.allSettled(changes.map((change) => {
      log.info(`patching ${label(change)}`);
      return applyChange(cluster, state, change, meta, log);
    }));
    const refused = results.find((r) => r.status === "rejected");
    if (refused) throw refused.reason;
    if (!stoppedBy()) {
      const refs = changes.flatMap((c) => c.kind === "ConfigMap" ? [] : [{ kind: c.kind, name: c.name, namespace: state.namespace }]);
      log.info(`watching ${refs.length} rollouts (timeout ${Math.round(request.timeoutMs / 1e3)}s)`);
      outcome.rollouts = await watchRollouts(cluster, refs, { timeoutMs: deadline.remainingMs(), intervalMs: request.intervalMs, signal: stopSignal }, log);
    }
  } catch (err) {
    failure = err;
  }
  const failed = outcome.rollouts.filter((r) => !r.ok);
  if (!failure && !stoppedBy() && failed.length === 0) {
    deadline.phase(AFTER_TIMEOUT_MS.record);
    await updateRecord(cluster, record, { status: "deployed" }).catch((err) => log.warn(`deployed, but release record ${record.revision} could not be marked so: ${reasonOf(err)}`));
    return outcome;
  }
  deadline.phase(AFTER_TIMEOUT_MS.report);
  const report = failure || stoppedBy() ? [] : await failureReport(cluster, state, failed);
  const back = await putBack(cluster, record, request, log, { done: "failed", note: failure ? `deploy failed: ${reasonOf(failure)}` : stoppedBy() ? `stopped by ${stoppedBy()}` : "rollout failed" });
  throw failureOf(record, back, request, failure, report);
}
function failureOf(record, back, request, failure, report) {
  const signal = stoppedBy();
  if (!back.done && !(signal && back.status === "rollback-pending")) return notBack(record, back, request, failure ? reasonOf(failure) : signal ? `stopped by ${signal}` : "rollout failed", failure);
  const objects = describeReports(back.reports).join("\n");
  if (signal) {
    return new StoppedError(signal, `stopped by ${signal}: every object put back on its state before revision ${record.revision}, without waiting for those rollouts (recorded as rollback pending)
${objects}
to finish watching them, run: ${recoverCommand(request)}`);
  }
  if (failure) {
    const kind = failure instanceof DagshipError ? failure.kind : "infra";
    const hint = failure instanceof DagshipError ? failure.hint : "see the error above";
    return new DagshipError(`${reasonOf(failure)}
the deploy was undone: all back on the state before revision ${record.revision}
${objects}`, hint, kind, { cause: failure });
  }
  const rolledBack = back.reports.filter((r) => r.state === "restored").map((r) => r.what).join(", ") || "nothing (no object had changed)";
  return rolloutFailed(rolledBack, back.restored, report);
}
function notBack(record, back, request, why, cause) {
  const watch = back.restored.filter((r) => !r.ok).map((r) => `  ${label(r.ref)}: ${r.message}`);
  return new DagshipError(
    `${why}; and the release is NOT all back on its state before revision ${record.revision} (recorded as ${back.status}):
${[...describeReports(back.reports), ...watch].join("\n")}`,
    `once the API server answers, run: ${recoverCommand(request)} (it returns every object to the state before revision ${record.revision})`,
    "infra",
    { cause }
  );
}
function rolloutFailed(rolledBack, restored, report) {
  const after = restored.every((r) => r.ok) ? "all back on their previous images" : `NOT all back: ${restored.filter((r) => !r.ok).map((r) => `${label(r.ref)} ${r.message}`).join("; ")}`;
  return new DagshipError(
    `rollout failed, rolled back ${rolledBack} (${after})
${report.join("\n")}`,
    "fix what the report shows (an image that cannot be pulled, a crashing container), then deploy again",
    "gate"
  );
}
async function failureReport(cluster, state, failed) {
  const perWorkload = await Promise.all(failed.map(async (r) => {
    const w = state.workloads.find((x) => x.kind === r.ref.kind && x.name === r.ref.name);
    const selector = w?.object.spec?.selector.matchLabels ?? {};
    const problems = await cluster.podProblems(state.namespace, selector).catch(() => []);
    return [`  ${label(r.ref)}: ${r.message}`, ...[...new Set(problems)].slice(0, 10).map((p) => `    ${p}`)];
  }));
  return perWorkload.flat();
}

// src/kube/helm.ts
function connectHelm(options) {
  const binary = options.binary || process.env.DAGSHIP_HELM || "helm";
  const common = (namespace) => ["--namespace", namespace, ...options.context ? ["--kube-context", options.context] : []];
  const helm = async (args, what) => {
    const result = await run(binary, args, { cwd: options.cwd });
    if (result.exitCode !== 0 && !isNotFound(result)) throw helmError(what, result);
    return result;
  };
  return {
    async status(release, namespace) {
      const result = await helm(["status", release, ...common(namespace), "--output", "json"], `helm status ${release}`);
      return isNotFound(result) ? void 0 : releaseInfo(result.stdout);
    },
    async values(release, namespace) {
      const result = await helm(["get", "values", release, ...common(namespace), "--output", "json"], `helm get values ${release}`);
      if (isNotFound(result)) throw helmError(`helm get values ${release}`, result);
      return JSON.parse(result.stdout || "null") ?? {};
    },
    async upgrade(r) {
      const args = ["upgrade", r.release, r.chart, ...common(r.namespace), "--reuse-values", "--timeout", `${Math.ceil(r.timeoutMs / 1e3)}s`, "--output", "json"];
      if (r.chartVersion) args.push("--version", r.chartVersion);
      if (r.description) args.push("--description", r.description);
      if (r.dryRun) args.push("--dry-run");
      for (const [key, value] of Object.entries(r.values)) args.push("--set-string", `${key}=${escapeSetValue(value)}`);
      const result = await helm(args, `helm upgrade ${r.release} ${r.chart}`);
      if (isNotFound(result)) throw helmError(`helm upgrade ${r.release} ${r.chart}`, result);
      return releaseInfo(result.stdout);
    },
    async rollback(release, namespace, revision, timeoutMs) {
      const result = await helm(["rollback", release, String(revision), ...common(namespace), "--timeout", `${Math.ceil(timeoutMs / 1e3)}s`], `helm rollback ${release} ${revision}`);
      if (isNotFound(result)) throw helmError(`helm rollback ${release} ${revision}`, result);
    }
  };
}
function escapeSetValue(value) {
  return value.replace(/\\/g, "\\\\").replace(/,/g, "\\,");
}
function isNotFound(result) {
  return result.exitCode !== 0 && /release: not found/.test(result.stderr);
}
function releaseInfo(stdout) {
  const json = JSON.parse(stdout);
  return { revision: json.version ?? 0, status: json.info?.status ?? "unknown", manifest: json.manifest ?? "" };
}
function helmError(what, result) {
  const detail = tail(result.stderr || result.stdout, 5);
  if (/release: not found/.test(detail)) {
    return new DagshipError(`${what}: no such Helm release`, "check --release and --namespace (helm list -n <namespace>); --strategy helm needs a release installed with helm", "config");
  }
  const chartProblem = /not found|no such file|failed to download|could not find|invalid chart|chart requires|no chart version/i.test(detail);
  return new DagshipError(
    `${what} failed (exit ${result.exitCode}): ${detail}`,
    chartProblem ? "check --chart (a path, repo/name or oci:// reference) and --chart-version" : "read helm\u2019s message above; check the cluster connection and the release (helm history)",
    chartProblem ? "config" : "infra"
  );
}

// cli/release-flags.ts
function deployStrategy(flags) {
  const kind = flags.strategy ?? "patch";
  if (kind !== "patch" && kind !== "helm") {
    throw new DagshipError(`invalid --strategy '${kind}'`, "use --strategy patch (patch the workloads; the default) or --strategy helm (helm upgrade the release)", "usage");
  }
  if (kind === "patch") {
    if (flags.chart || flags.chartVersion) throw new DagshipError("--chart and --chart-version only apply to --strategy helm", "add --strategy helm, or drop --chart/--chart-version", "usage");
    return { kind };
  }
  if (!flags.chart) {
    throw new DagshipError(
      "--strategy helm needs --chart: helm upgrade renders the release again from its chart",
      "pass the chart the release was installed from, e.g. --chart apache-airflow/airflow --chart-version 1.18.0 (a repo/name, a local path or an oci:// reference)",
      "usage"
    );
  }
  return { kind, chart: flags.chart, chartVersion: flags.chartVersion };
}
function releaseRequest(flags) {
  return {
    release: flags.release,
    namespace: flags.namespace,
    timeoutMs: parseDuration(flags.timeout ?? "10m", "--timeout"),
    lockTimeoutMs: parseDuration(flags.lockTimeout ?? "5m", "--lock-timeout"),
    dryRun: flags.dryRun,
    revision: flags.revision,
    deadline: new PhaseDeadline()
  };
}
function presentRelease(outcome, what, log) {
  if (outcome.changes.length === 0) {
    log.info(`nothing to do: ${what}`);
    return;
  }
  for (const change of outcome.changes) {
    process.stdout.write(`${label(change)}
${change.lines.map((l) => `  ${l}`).join("\n")}
`);
  }
  if (outcome.dryRun) log.info(`dry run: ${outcome.changes.length} objects would change; nothing was changed`);
  else log.info(`${outcome.changes.length} objects changed; all rollouts complete${outcome.revision ? ` (release record ${outcome.revision})` : ""}`);
}

export {
  label,
  watchRollouts,
  forceStatefulSetRollback,
  snapshotWorkload,
  snapshotConfigMap,
  matches,
  imagesOf,
  listRecords,
  createRecord,
  updateRecord,
  ROLLBACK_MIN_MS,
  UNFINISHED,
  recoverCommand,
  deployRelease,
  newRecord,
  withReleaseLock,
  finishUnfinished,
  putBack,
  rolloutFailed,
  failureReport,
  connectHelm,
  deployStrategy,
  releaseRequest,
  presentRelease
};
