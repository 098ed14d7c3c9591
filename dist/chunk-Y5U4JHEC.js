#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  ROLLBACK_MIN_MS,
  connectHelm,
  createRecord,
  deployRelease,
  deployStrategy,
  failureReport,
  finishUnfinished,
  forceStatefulSetRollback,
  label,
  newRecord,
  presentRelease,
  releaseRequest,
  rolloutFailed,
  updateRecord,
  watchRollouts,
  withReleaseLock
} from "./chunk-RUQYB4MS.js";
import {
  readRelease,
  requirePinned,
  workerSettings
} from "./chunk-WGYGLQRU.js";
import {
  connectKube,
  loadKubeConfig
} from "./chunk-H4Z5DEF4.js";
import {
  releaseGate
} from "./chunk-VTPWZORT.js";
import "./chunk-7E7MM5J4.js";
import {
  connectRegistry,
  registryApiHost
} from "./chunk-55SI5XW5.js";
import "./chunk-3P7JFNUS.js";
import {
  appendSummary,
  setOutput
} from "./chunk-ZBQHUFCK.js";
import {
  terminalLogger
} from "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import {
  credentialsOnce
} from "./chunk-YMHZUKT3.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-FFWHJTTK.js";
import {
  require_dist
} from "./chunk-VTW57CTW.js";
import {
  parseImageReference,
  splitReference
} from "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError,
  __toESM,
  isDagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

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
  if (request.dryRun) return helmDeploy(cluster, helm, image, request, log);
  return withReleaseLock(cluster, request, `deploy ${image} (helm)`, log, (holder) => helmDeploy(cluster, helm, image, request, log, holder));
}
async function helmDeploy(cluster, helm, image, request, log, holder) {
  const { release, namespace } = request;
  const values = imageValues(image);
  const records = holder ? await finishUnfinished(cluster, request, log) : [];
  const state = await readRelease(cluster, namespace, release);
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
  const record = newRecord(state, records, { image, holder, strategy: "helm", helmRevision: before.revision, verification: request.verification });
  await createRecord(cluster, record);
  outcome.revision = record.revision;
  log.info(`helm upgrade ${release} ${request.chart} --reuse-values (from revision ${before.revision})`);
  try {
    const upgraded = await helm.upgrade(upgrade);
    log.info(`release ${release} is at revision ${upgraded.revision}`);
  } catch (err) {
    return abortUpgrade(cluster, helm, record, request, log, err);
  }
  const after = await readRelease(cluster, namespace, release);
  log.info(`watching ${after.workloads.length} rollouts (timeout ${Math.round(request.timeoutMs / 1e3)}s)`);
  outcome.rollouts = await watchRollouts(cluster, refsOf(after), { timeoutMs: request.timeoutMs, intervalMs: request.intervalMs }, log);
  const failed = outcome.rollouts.filter((r) => !r.ok);
  if (failed.length > 0) {
    const report = await failureReport(cluster, after, failed);
    const restored = await rollBack(cluster, helm, after, before.revision, request, log);
    await settle(cluster, record, restored.every((r) => r.ok) ? "failed" : "rollback-pending", "rollout failed; helm rollback", log);
    throw rolloutFailed(`release ${release} to Helm revision ${before.revision}`, restored, report);
  }
  await settle(cluster, record, "deployed", "deployed", log);
  return outcome;
}
async function settle(cluster, record, status, note, log) {
  await updateRecord(cluster, record, { status, notes: [...record.notes, `${(/* @__PURE__ */ new Date()).toISOString()} ${note}`] }).catch((err) => log.warn(`could not write release record ${record.revision}: ${reasonOf(err)}`));
}
function describe(image, request) {
  return `dagship deploy ${image}${request.revision ? ` revision ${request.revision}` : ""}${request.verification ? ` (${request.verification})` : ""}`.slice(0, 500);
}
var refsOf = (state) => state.workloads.map(({ kind, name, namespace }) => ({ kind, name, namespace }));
async function abortUpgrade(cluster, helm, record, request, log, err) {
  const revision = record.helmRevision;
  const now = await helm.status(request.release, request.namespace).catch(() => void 0);
  if (!now || now.revision <= revision) {
    await settle(cluster, record, "failed", `helm upgrade failed before writing a revision: ${reasonOf(err)}`, log);
    throw err;
  }
  try {
    await rollBack(cluster, helm, await readRelease(cluster, request.namespace, request.release), revision, request, log);
    await settle(cluster, record, "failed", `helm upgrade failed: ${reasonOf(err)}; helm rollback`, log);
  } catch (rollbackErr) {
    await settle(cluster, record, "rollback-failed", `helm upgrade failed: ${reasonOf(err)}; helm rollback failed: ${reasonOf(rollbackErr)}`, log);
    throw new DagshipError(
      `${reasonOf(err)}; rolling release ${request.release} back to revision ${revision} failed too: ${reasonOf(rollbackErr)}`,
      `check the release by hand (helm history ${request.release} -n ${request.namespace}), then helm rollback`,
      "infra",
      { cause: err }
    );
  }
  throw err;
}
async function rollBack(cluster, helm, state, revision, request, log) {
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
  const parsed = parseImageReference(ref.trim(), "--image");
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
async function deploy(flags) {
  if (!flags.image) throw new DagshipError("deploy needs --image", "pass the pinned reference `dagship push` printed: --image registry/repo@sha256:\u2026", "usage");
  const strategy = deployStrategy(flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  const image = await pinReference(flags.image, pinDeps, log);
  request.verification = await releaseGate(image, flags, log, pinDeps.credentialsFor);
  const cluster = connectKube(loadKubeConfig(flags.context), request.deadline);
  const outcome = await rollOut(strategy, flags.context, cluster, image, request, log);
  presentRelease(outcome, `release '${request.release}' already runs ${image}`, log);
  setOutput("image", image);
  setOutput("deployed", !outcome.dryRun);
  await appendSummary(deploySummary(image, request, outcome));
  return 0;
}
var pinDeps = {
  credentialsFor: credentialsOnce({ cwd: process.cwd() }),
  registry: (host, credentials) => connectRegistry(host, fetch, { credentials, source: "--image" })
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
  deploy
};
