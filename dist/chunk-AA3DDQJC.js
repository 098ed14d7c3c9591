#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  planConfigMap,
  planRelease,
  planWorkload,
  previousImageOf,
  readRelease,
  requirePinned,
  restoreConfigMap,
  restoreWorkload,
  splitReference,
  workerSettings
} from "./chunk-JWFQSBMF.js";
import {
  connectKube,
  loadKubeConfig,
  statusCode
} from "./chunk-OHHQJ7BB.js";
import {
  deployStrategy,
  parseDuration
} from "./chunk-KRSJ6HMW.js";
import {
  releaseGate
} from "./chunk-IBM3I2U5.js";
import {
  appendSummary,
  setOutput
} from "./chunk-YZ2FCRPJ.js";
import {
  require_dist
} from "./chunk-VTW57CTW.js";
import {
  terminalLogger
} from "./chunk-4TZSK3EF.js";
import {
  connectRegistry,
  credentialsOnce,
  parseImageReference,
  registryApiHost
} from "./chunk-OSDVXIV5.js";
import {
  run
} from "./chunk-A7S7IP7A.js";
import {
  tail
} from "./chunk-FLMQALUX.js";
import {
  DagshipError,
  __toESM,
  isDagshipError,
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
  return Promise.all(refs.map((ref) => watchOne(cluster, ref, deadline, options.intervalMs ?? 500, log)));
}
var POLL_BESIDE_WATCH_MS = 5e3;
async function watchOne(cluster, ref, deadline, intervalMs, log) {
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
  const pause = stop ? POLL_BESIDE_WATCH_MS : intervalMs;
  try {
    for (; ; ) {
      const workload = pushed ?? await readOrWait(cluster, ref, deadline, log);
      pushed = void 0;
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
        const timer = setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now())));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    stop?.();
  }
}
function readOrWait(cluster, ref, deadline, log) {
  return cluster.readWorkload(ref).catch((err) => {
    if (!(err instanceof DagshipError && err.kind === "infra") || Date.now() >= deadline) throw err;
    log.debug(`${label(ref)}: ${err.message}; trying again`);
    return void 0;
  });
}

// src/kube/apply.ts
var ATTEMPTS = 8;
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
      if (!p) return void 0;
      await cluster.patchConfigMap(namespace, change.name, p.patch);
      return { kind: "ConfigMap", namespace, name: change.name, before };
    });
  }
  const ref = { kind: change.kind, name: change.name, namespace };
  return withConflictRetry(what, log, async (first) => {
    const before = first ? state.workloads.find((w) => w.kind === ref.kind && w.name === ref.name) : await cluster.readWorkload(ref);
    const p = planWorkload(before, state.repos, change.target, meta);
    if (!p) return void 0;
    await cluster.patchWorkload(ref, p.patch);
    return { kind: "Workload", ref, before };
  });
}
async function restore(cluster, applied, log) {
  if (applied.kind === "ConfigMap") {
    const what = `configmap/${applied.name}`;
    await withConflictRetry(what, log, async () => {
      const fresh = await cluster.readConfigMap(applied.namespace, applied.name);
      if (fresh) await cluster.patchConfigMap(applied.namespace, applied.name, restoreConfigMap(fresh, applied.before));
    });
    return;
  }
  const failedRevision = await withConflictRetry(label(applied.ref), log, async () => {
    const fresh = await cluster.readWorkload(applied.ref);
    await cluster.patchWorkload(applied.ref, restoreWorkload(fresh, applied.before));
    return fresh.object.status?.updateRevision;
  });
  const ordered = applied.before.object.spec?.podManagementPolicy !== "Parallel";
  if (applied.ref.kind === "StatefulSet" && ordered && failedRevision) await forceStatefulSetRollback(cluster, applied.before, failedRevision, log);
}
async function forceStatefulSetRollback(cluster, statefulSet, revision, log) {
  const selector = { ...statefulSet.object.spec?.selector.matchLabels ?? {}, "controller-revision-hash": revision };
  const deleted = await cluster.deleteUnreadyPods(statefulSet.namespace, selector);
  if (deleted.length > 0) log.info(`  ${label(statefulSet)}: deleted pods stuck on the failed revision: ${deleted.join(", ")}`);
}

// src/kube/deploy.ts
var ROLLBACK_MIN_MS = 6e4;
async function deployRelease(cluster, image, request, log) {
  const pinned = requirePinned(image);
  const state = await readRelease(cluster, request.namespace, request.release);
  const meta = { revision: request.revision ?? pinned.tag ?? pinned.digest, now: (/* @__PURE__ */ new Date()).toISOString(), verification: request.verification };
  return execute(cluster, state, planRelease(state, () => image, meta), meta, request, log);
}
async function rollbackRelease(cluster, request, log) {
  const state = await readRelease(cluster, request.namespace, request.release);
  const annotated = [...state.workloads.map((w) => w.object.metadata), state.configMap?.metadata].some((m) => previousImageOf(m?.annotations));
  if (!annotated) {
    throw new DagshipError(
      `nothing to roll back: no workload of release '${request.release}' carries a dagship.io/previous-image annotation`,
      "rollback returns to the image before the last `dagship deploy`; this release was never deployed by dagship",
      "config"
    );
  }
  const meta = { revision: request.revision ?? "rollback", now: (/* @__PURE__ */ new Date()).toISOString(), verification: "rollback: back to the image deployed before" };
  return execute(cluster, state, planRelease(state, previousImageOf, meta), meta, request, log);
}
async function execute(cluster, state, changes, meta, request, log) {
  const outcome = { changes, dryRun: Boolean(request.dryRun), rollouts: [] };
  if (changes.length === 0 || request.dryRun) return outcome;
  log.warn("dagship patches the workloads directly: the next `helm upgrade` without images.airflow.* set to this image reverts it");
  const applied = [];
  try {
    const results = await Promise.allSettled(changes.map((change) => {
      log.info(`patching ${label(change)}`);
      return applyChange(cluster, state, change, meta, log);
    }));
    for (const r of results) if (r.status === "fulfilled" && r.value) applied.push(r.value);
    const refused = results.find((r) => r.status === "rejected");
    if (refused) throw refused.reason;
    const refs = applied.flatMap((a) => a.kind === "Workload" ? [a.ref] : []);
    log.info(`watching ${refs.length} rollouts (timeout ${Math.round(request.timeoutMs / 1e3)}s)`);
    outcome.rollouts = await watchRollouts(cluster, refs, { timeoutMs: request.timeoutMs, intervalMs: request.intervalMs }, log);
  } catch (err) {
    return abort(cluster, applied, request, log, err);
  }
  const failed = outcome.rollouts.filter((r) => !r.ok);
  if (failed.length > 0) await fail(cluster, state, failed, applied, request, log);
  return outcome;
}
async function fail(cluster, state, failed, applied, request, log) {
  const report = await failureReport(cluster, state, failed);
  const restored = await rollBack(cluster, applied, request, log);
  const names = applied.map((a) => a.kind === "Workload" ? label(a.ref) : `configmap/${a.name}`).join(", ");
  throw rolloutFailed(names, restored, report);
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
async function abort(cluster, applied, request, log, err) {
  try {
    await rollBack(cluster, applied, request, log);
  } catch (rollbackErr) {
    throw new DagshipError(
      `${reasonOf(err)}; rolling back the ${applied.length} objects already patched failed too: ${reasonOf(rollbackErr)}`,
      `check the release by hand (kubectl get deploy,sts -n ${request.namespace} -l release=${request.release}), then run dagship rollback`,
      "infra",
      { cause: err }
    );
  }
  throw err;
}
async function failureReport(cluster, state, failed) {
  const lines = [];
  for (const r of failed) {
    lines.push(`  ${label(r.ref)}: ${r.message}`);
    const w = state.workloads.find((x) => x.kind === r.ref.kind && x.name === r.ref.name);
    const selector = w?.object.spec?.selector.matchLabels ?? {};
    const problems = await cluster.podProblems(state.namespace, selector).catch(() => []);
    lines.push(...[...new Set(problems)].slice(0, 10).map((p) => `    ${p}`));
  }
  return lines;
}
async function rollBack(cluster, applied, request, log) {
  if (applied.length === 0) return [];
  log.warn(`rolling back ${applied.length} changed objects`);
  for (const a of applied) await restore(cluster, a, log);
  const refs = applied.flatMap((a) => a.kind === "Workload" ? [a.ref] : []);
  return watchRollouts(cluster, refs, { timeoutMs: Math.max(request.timeoutMs, ROLLBACK_MIN_MS), intervalMs: request.intervalMs }, log);
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
      for (const [key2, value] of Object.entries(r.values)) args.push("--set-string", `${key2}=${escapeSetValue(value)}`);
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

// src/kube/helm-manifest.ts
var import_yaml = __toESM(require_dist(), 1);
function manifestChanges(before, after) {
  const old = new Map(objects(before).map((o) => [key(o), o]));
  return objects(after).flatMap((o) => {
    const prior = old.get(key(o));
    if (o.kind === "ConfigMap") return configLines(prior?.data ?? {}, o.data ?? {}).map((l) => `${label(named(o))} ${l}`);
    if (o.kind !== "Deployment" && o.kind !== "StatefulSet") return [];
    const was = settings(prior);
    return [...settings(o)].flatMap(([what, value]) => was.get(what) === value ? [] : [`${label(named(o))} ${what}: ${was.get(what) ?? "(new)"} \u2192 ${value}`]);
  });
}
function objects(manifest) {
  return (0, import_yaml.parseAllDocuments)(manifest).map((d) => d.toJS()).filter((o) => Boolean(o?.kind));
}
var key = (o) => `${o.kind}/${o.metadata?.name}`;
var named = (o) => ({ kind: o.kind ?? "", name: o.metadata?.name ?? "" });
function settings(o) {
  const out = /* @__PURE__ */ new Map();
  const spec = o?.spec?.template?.spec;
  for (const [what, list] of [["init container", spec?.initContainers], ["container", spec?.containers]]) {
    for (const c of list ?? []) {
      if (c.image) out.set(`${what} ${c.name}`, c.image);
      for (const e of c.env ?? []) if (e.name?.includes("WORKER_CONTAINER") && e.value !== void 0) out.set(`${what} ${c.name} env ${e.name}`, e.value);
    }
  }
  return out;
}
function configLines(before, after) {
  return Object.entries(after).flatMap(([k, text]) => {
    const old = new Set((before[k] ?? "").split("\n").map((l) => l.trim()));
    return text.split("\n").map((l) => l.trim()).filter((l) => l && !old.has(l)).map((l) => `${k}: ${l}`);
  });
}

// src/kube/helm-deploy.ts
function imageValues(image) {
  const pinned = requirePinned(image);
  const worker = workerSettings(image);
  return {
    "images.airflow.repository": pinned.name,
    // A digest wins over the tag in the chart's airflow_image: every workload container runs repo@digest.
    "images.airflow.digest": pinned.digest,
    // The chart renders [kubernetes_executor] worker_container_tag from images.airflow.tag, so an old tag
    // left there would keep task pods on the old DAGs; `tag@sha256:…` pins them to this digest too.
    "images.airflow.tag": worker.tag,
    // The pod template renders repository:tag only; it counts when the worker settings are empty.
    "images.pod_template.repository": worker.repository,
    "images.pod_template.tag": worker.tag
  };
}
function valueChanges(current, next) {
  return Object.entries(next).flatMap(([key2, value]) => {
    const old = key2.split(".").reduce((o, k) => o && typeof o === "object" ? o[k] : void 0, current);
    return old === value ? [] : [`${key2}: ${old === void 0 || old === null ? "(unset)" : String(old)} \u2192 ${value}`];
  });
}
async function helmDeployRelease(cluster, helm, image, request, log) {
  const { release, namespace } = request;
  const values = imageValues(image);
  await readRelease(cluster, namespace, release);
  const before = await helm.status(release, namespace);
  if (!before) {
    throw new DagshipError(`Helm has no release '${release}' in namespace '${namespace}', though its workloads exist`, "the release is not managed by helm here: deploy with --strategy patch, or check --context", "config");
  }
  const change = { kind: "HelmRelease", name: release, lines: valueChanges(await helm.values(release, namespace), values) };
  const outcome = { changes: change.lines.length > 0 ? [change] : [], dryRun: Boolean(request.dryRun), rollouts: [] };
  if (change.lines.length === 0) return outcome;
  const upgrade = { release, namespace, chart: request.chart, chartVersion: request.chartVersion, values, timeoutMs: request.timeoutMs, description: describe(image, request) };
  if (request.dryRun) {
    const rendered = await helm.upgrade({ ...upgrade, dryRun: true });
    change.lines.push(...manifestChanges(before.manifest, rendered.manifest));
    return outcome;
  }
  log.info(`helm upgrade ${release} ${request.chart} --reuse-values (from revision ${before.revision})`);
  try {
    const upgraded = await helm.upgrade(upgrade);
    log.info(`release ${release} is at revision ${upgraded.revision}`);
  } catch (err) {
    return abortUpgrade(cluster, helm, before.revision, request, log, err);
  }
  const after = await readRelease(cluster, namespace, release);
  log.info(`watching ${after.workloads.length} rollouts (timeout ${Math.round(request.timeoutMs / 1e3)}s)`);
  outcome.rollouts = await watchRollouts(cluster, refsOf(after), { timeoutMs: request.timeoutMs, intervalMs: request.intervalMs }, log);
  const failed = outcome.rollouts.filter((r) => !r.ok);
  if (failed.length > 0) {
    const report = await failureReport(cluster, after, failed);
    const restored = await rollBack2(cluster, helm, after, before.revision, request, log);
    throw rolloutFailed(`release ${release} to Helm revision ${before.revision}`, restored, report);
  }
  return outcome;
}
function describe(image, request) {
  return `dagship deploy ${image}${request.revision ? ` revision ${request.revision}` : ""}${request.verification ? ` (${request.verification})` : ""}`.slice(0, 500);
}
var refsOf = (state) => state.workloads.map(({ kind, name, namespace }) => ({ kind, name, namespace }));
async function abortUpgrade(cluster, helm, revision, request, log, err) {
  const now = await helm.status(request.release, request.namespace).catch(() => void 0);
  if (!now || now.revision <= revision) throw err;
  try {
    await rollBack2(cluster, helm, await readRelease(cluster, request.namespace, request.release), revision, request, log);
  } catch (rollbackErr) {
    throw new DagshipError(
      `${reasonOf(err)}; rolling release ${request.release} back to revision ${revision} failed too: ${reasonOf(rollbackErr)}`,
      `check the release by hand (helm history ${request.release} -n ${request.namespace}), then helm rollback`,
      "infra",
      { cause: err }
    );
  }
  throw err;
}
async function rollBack2(cluster, helm, state, revision, request, log) {
  log.warn(`rolling release ${request.release} back to Helm revision ${revision}`);
  const stuck = await stuckStatefulSets(cluster, state);
  await helm.rollback(request.release, request.namespace, revision, Math.max(request.timeoutMs, ROLLBACK_MIN_MS));
  for (const { workload, revision: failedRevision } of stuck) await forceStatefulSetRollback(cluster, workload, failedRevision, log);
  return watchRollouts(cluster, refsOf(state), { timeoutMs: Math.max(request.timeoutMs, ROLLBACK_MIN_MS), intervalMs: request.intervalMs }, log);
}
async function stuckStatefulSets(cluster, state) {
  const found = [];
  for (const w of state.workloads.filter((x) => x.kind === "StatefulSet")) {
    const fresh = await cluster.readWorkload(w);
    const st = fresh.object;
    const moving = st.status?.updateRevision && st.status.updateRevision !== st.status.currentRevision;
    if (moving && st.spec?.podManagementPolicy !== "Parallel") found.push({ workload: fresh, revision: st.status.updateRevision });
  }
  return found;
}

// src/kube/resolve.ts
async function pinReference(ref, deps, log) {
  const parsed = parseImageReference(ref.trim());
  const split = splitReference(ref);
  if (parsed.digest) return ref.trim();
  const tag = parsed.tag ?? "latest";
  const where = `${parsed.registry}/${parsed.repository}:${tag}`;
  const manifest = await lookUp(parsed.registry, parsed.repository, tag, deps, where);
  if (!manifest) {
    throw new DagshipError(
      `cannot deploy '${ref}': the registry ${parsed.registry} has no tag '${tag}' in ${parsed.repository}`,
      "check the tag (was it pushed?), or deploy the pinned reference `dagship push` printed (registry/repository@sha256:\u2026)",
      "config"
    );
  }
  const pinned = `${split.name}@${manifest.digest}`;
  log.info(`resolved ${split.name}:${tag} \u2192 ${pinned}`);
  return pinned;
}
async function lookUp(registry, repository, tag, deps, where) {
  try {
    const credentials = await deps.credentialsFor(registry);
    return await deps.registry(registryApiHost(registry), credentials).manifest(repository, tag);
  } catch (err) {
    if (isDagshipError(err)) throw new DagshipError(`cannot resolve ${where} to a digest: ${err.message}`, err.hint, err.kind === "gate" ? "infra" : err.kind, { cause: err });
    throw err;
  }
}

// cli/commands/deploy.ts
function releaseRequest(flags) {
  return { release: flags.release, namespace: flags.namespace, timeoutMs: parseDuration(flags.timeout ?? "10m"), dryRun: flags.dryRun, revision: flags.revision };
}
function present(outcome, what, log) {
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
  else log.info(`${outcome.changes.length} objects changed; all rollouts complete`);
}
async function deploy(flags) {
  if (!flags.image) throw new DagshipError("deploy needs --image", "pass the pinned reference `dagship push` printed: --image registry/repo@sha256:\u2026", "usage");
  const strategy = deployStrategy(flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  const image = await pinReference(flags.image, pinDeps, log);
  request.verification = await releaseGate(image, flags, log, pinDeps.credentialsFor);
  const cluster = connectKube(loadKubeConfig(flags.context));
  const outcome = await rollOut(strategy, flags.context, cluster, image, request, log);
  present(outcome, `release '${request.release}' already runs ${image}`, log);
  setOutput("image", image);
  setOutput("deployed", !outcome.dryRun);
  appendSummary(deploySummary(image, request, outcome));
  return 0;
}
var pinDeps = {
  credentialsFor: credentialsOnce({ cwd: process.cwd() }),
  registry: (host, credentials) => connectRegistry(host, fetch, { credentials })
};
function rollOut(strategy, context, cluster, image, request, log) {
  if (strategy.kind === "patch") return deployRelease(cluster, image, request, log);
  const helm = connectHelm({ context, cwd: process.cwd() });
  return helmDeployRelease(cluster, helm, image, { ...request, chart: strategy.chart, chartVersion: strategy.chartVersion }, log);
}
function deploySummary(image, request, outcome) {
  const title = outcome.dryRun ? "### \u{1F4DD} dagship deploy (dry run)" : "### \u{1F680} dagship deploy";
  const rows = outcome.changes.map((c) => {
    const rollout = outcome.rollouts.find((r) => r.ref.kind === c.kind && r.ref.name === c.name);
    return `| ${c.kind.toLowerCase()}/${c.name} | ${outcome.dryRun ? "would change" : rollout ? rollout.ok ? "rolled out" : `failed: ${rollout.message}` : "updated"} |`;
  });
  return [
    title,
    `release \`${request.release}\` in \`${request.namespace}\` \u2192 \`${image}\``,
    `release gate: ${request.verification ?? "-"}`,
    "",
    ...rows.length ? ["| object | result |", "| --- | --- |", ...rows] : ["nothing to do: the release already runs this image"]
  ].join("\n");
}

export {
  rollbackRelease,
  releaseRequest,
  present,
  deploy
};
