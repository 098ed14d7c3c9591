#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  COMPONENTS
} from "./chunk-H4Z5DEF4.js";
import {
  require_dist
} from "./chunk-VTW57CTW.js";
import {
  repositoryOf,
  splitReference
} from "./chunk-DDMSHZPD.js";
import {
  DagshipError,
  __toESM
} from "./chunk-EDJIWXRY.js";

// src/kube/config-plan.ts
var import_yaml = __toESM(require_dist(), 1);

// src/kube/images.ts
function requirePinned(ref) {
  const split = splitReference(ref);
  if (!split) {
    throw new DagshipError(`invalid image reference '${ref}'`, "expected registry/repository@sha256:<64 hex>, as `dagship push` prints it", "usage");
  }
  if (!split.digest) {
    throw new DagshipError(
      `refusing to deploy '${ref}': it is not pinned by digest, and a tag can point at other content tomorrow`,
      "push first and deploy the pinned reference `dagship push` printed (registry/repository@sha256:\u2026)",
      "usage"
    );
  }
  return split;
}
function workerSettings(ref) {
  const split = splitReference(ref);
  if (!split) return { repository: ref, tag: "latest" };
  const tag = split.digest ? `${split.tag ?? "pinned"}@${split.digest}` : split.tag ?? "latest";
  return { repository: split.name, tag };
}
function workerImage(repository, tag) {
  return `${repository}:${tag}`;
}

// src/kube/plan.ts
var ANNOTATIONS = {
  previousImage: "dagship.io/previous-image",
  revision: "dagship.io/revision",
  deployedAt: "dagship.io/deployed-at",
  verification: "dagship.io/verification"
};
var WORKER_ENV = {
  repository: "AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY",
  tag: "AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG"
};
function airflowRepositories(workloads) {
  const repos = /* @__PURE__ */ new Set();
  for (const w of workloads) {
    const component = w.object.metadata?.labels?.component;
    const main = w.object.spec?.template.spec?.containers.find((c) => c.name === component);
    const repo = main?.image ? repositoryOf(main.image) : void 0;
    if (repo) repos.add(repo);
  }
  return repos;
}
function planWorkload(w, repos, target, meta) {
  const spec = w.object.spec?.template.spec;
  if (!spec) return void 0;
  const lines = [];
  const initContainers = spec.initContainers?.map((c) => retarget(c, repos, target, lines, "init container"));
  const containers = spec.containers.map((c) => retarget(c, repos, target, lines, "container"));
  if (lines.length === 0) return void 0;
  const previousImage = mainImage(w) ?? "";
  return {
    lines,
    previousImage,
    patch: {
      metadata: { resourceVersion: w.object.metadata?.resourceVersion, annotations: annotationsFor(previousImage, meta) },
      spec: { template: { spec: { containers, ...initContainers ? { initContainers } : {} } } }
    }
  };
}
function annotationsFor(previousImage, meta) {
  return { [ANNOTATIONS.previousImage]: previousImage, [ANNOTATIONS.revision]: meta.revision, [ANNOTATIONS.deployedAt]: meta.now, ...meta.verification ? { [ANNOTATIONS.verification]: meta.verification } : {} };
}
function mainImage(w) {
  const component = w.object.metadata?.labels?.component;
  const containers = w.object.spec?.template.spec?.containers ?? [];
  return (containers.find((c) => c.name === component) ?? containers[0])?.image;
}
function retarget(c, repos, target, lines, what) {
  const out = { ...c };
  const repo = c.image ? repositoryOf(c.image) : void 0;
  if (repo && repos.has(repo) && c.image !== target) {
    lines.push(`${what} ${c.name}: ${c.image} \u2192 ${target}`);
    out.image = target;
  }
  const ours = (c.env ?? []).some((e) => e.name === WORKER_ENV.repository && repos.has(repositoryOf(e.value ?? "") ?? ""));
  if (c.env && ours) out.env = c.env.map((e) => retargetEnv(e, c.name, target, lines));
  return out;
}
function retargetEnv(e, container, target, lines) {
  if (e.value === void 0 || e.name !== WORKER_ENV.repository && e.name !== WORKER_ENV.tag) return e;
  const settings = workerSettings(target);
  const value = e.name === WORKER_ENV.repository ? settings.repository : settings.tag;
  if (e.value === value) return e;
  lines.push(`container ${container} env ${e.name}: ${e.value} \u2192 ${value}`);
  return { ...e, value };
}
function restoreWorkload(fresh, original) {
  const before = original.object.spec?.template.spec;
  const byName = new Map([...before?.containers ?? [], ...before?.initContainers ?? []].map((c) => [c.name, c]));
  const restore = (c) => {
    const old = byName.get(c.name);
    return old ? { ...c, image: old.image, env: old.env } : c;
  };
  const spec = fresh.object.spec?.template.spec;
  return {
    metadata: { resourceVersion: fresh.object.metadata?.resourceVersion, annotations: originalAnnotations(original.object.metadata) },
    spec: { template: { spec: { containers: spec?.containers.map(restore), ...spec?.initContainers ? { initContainers: spec.initContainers.map(restore) } : {} } } }
  };
}
function originalAnnotations(metadata) {
  return Object.fromEntries(Object.values(ANNOTATIONS).map((key) => [key, metadata?.annotations?.[key] ?? null]));
}

// src/kube/config-plan.ts
var CONFIG_KEYS = { cfg: "airflow.cfg", podTemplate: "pod_template_file.yaml" };
var SECTIONS = /* @__PURE__ */ new Set(["kubernetes_executor", "kubernetes"]);
function planConfigMap(cm, repos, target, meta) {
  const lines = [];
  const data = {};
  const cfg = cm.data?.[CONFIG_KEYS.cfg];
  const template = cm.data?.[CONFIG_KEYS.podTemplate];
  let previousImage;
  if (cfg !== void 0) {
    const moved = retargetCfg(cfg, repos, target);
    if (moved) {
      data[CONFIG_KEYS.cfg] = moved.text;
      previousImage = moved.previous;
      lines.push(`${CONFIG_KEYS.cfg} [kubernetes_executor] worker_container_repository:tag ${moved.previous} \u2192 ${moved.next}`);
    }
  }
  if (template !== void 0) {
    const moved = retargetPodTemplate(template, repos, target);
    if (moved) {
      data[CONFIG_KEYS.podTemplate] = moved.text;
      previousImage ??= moved.previous;
      lines.push(...moved.lines.map((l) => `${CONFIG_KEYS.podTemplate} ${l}`));
    }
  }
  if (lines.length === 0) return void 0;
  const annotations = annotationsFor(previousImage ?? "", meta);
  return { lines, previousImage: previousImage ?? "", patch: { metadata: { resourceVersion: cm.metadata?.resourceVersion, annotations }, data } };
}
function workerLines(lines) {
  const found = /* @__PURE__ */ new Map();
  let section = "";
  lines.forEach((raw, line) => {
    const header = /^\s*\[([^\]]+)\]/.exec(raw);
    if (header) section = header[1].trim();
    const kv = /^\s*(worker_container_repository|worker_container_tag)\s*[=:]\s*(.*?)\s*$/.exec(raw);
    if (kv && SECTIONS.has(section)) found.set(kv[1], { line, key: kv[1], value: kv[2] });
  });
  return found;
}
function retargetCfg(text, repos, target) {
  const lines = text.split("\n");
  const found = workerLines(lines);
  const repo = found.get("worker_container_repository");
  const tag = found.get("worker_container_tag");
  if (!repo?.value || !tag?.value || !repos.has(repositoryOf(repo.value) ?? "")) return void 0;
  const next = workerSettings(target);
  if (repo.value === next.repository && tag.value === next.tag) return void 0;
  lines[repo.line] = `worker_container_repository = ${next.repository}`;
  lines[tag.line] = `worker_container_tag = ${next.tag}`;
  return { text: lines.join("\n"), previous: workerImage(repo.value, tag.value), next: workerImage(next.repository, next.tag) };
}
function retargetPodTemplate(text, repos, target) {
  const doc = (0, import_yaml.parseDocument)(text);
  const lines = [];
  let previous;
  for (const list of ["containers", "initContainers"]) {
    const items = doc.getIn(["spec", list])?.items ?? [];
    items.forEach((_item, i) => {
      const name = String(doc.getIn(["spec", list, i, "name"]) ?? "");
      const image = doc.getIn(["spec", list, i, "image"]);
      if (typeof image !== "string" || image === target || !repos.has(repositoryOf(image) ?? "")) return;
      if (name === "base" || previous === void 0) previous = image;
      doc.setIn(["spec", list, i, "image"], target);
      lines.push(`${list === "containers" ? "container" : "init container"} ${name}: ${image} \u2192 ${target}`);
    });
  }
  if (lines.length === 0) return void 0;
  return { text: doc.toString(), previous, lines };
}
function restoreConfigMap(fresh, original) {
  const data = Object.fromEntries(Object.values(CONFIG_KEYS).flatMap((k) => original.data?.[k] !== void 0 ? [[k, original.data[k]]] : []));
  return { metadata: { resourceVersion: fresh.metadata?.resourceVersion, annotations: originalAnnotations(original.metadata) }, data };
}

// src/kube/release.ts
var configMapName = (release) => `${release}-config`;
async function readRelease(cluster, namespace, release) {
  const workloads = await cluster.listWorkloads(namespace, release);
  if (workloads.length === 0) await explainEmpty(cluster, namespace, release);
  const configMap = await cluster.readConfigMap(namespace, configMapName(release));
  return { namespace, release, workloads, configMap, repos: airflowRepositories(workloads) };
}
async function explainEmpty(cluster, namespace, release) {
  if (await cluster.namespaceExists(namespace) === false) {
    throw new DagshipError(`namespace '${namespace}' not found`, "check --namespace (kubectl get namespaces) and --context", "config");
  }
  throw new DagshipError(
    `no Airflow workloads of Helm release '${release}' in namespace '${namespace}' (Deployments/StatefulSets labelled release=${release}, tier=airflow, component in ${COMPONENTS.join("|")})`,
    `check --release: it is the Helm release name (helm list -n ${namespace}), and --namespace`,
    "config"
  );
}
function planRelease(state, targetOf, meta) {
  const changes = [];
  for (const w of state.workloads) {
    const target2 = targetOf(w.object.metadata?.annotations);
    const p2 = target2 ? planWorkload(w, state.repos, target2, meta) : void 0;
    if (p2 && target2) changes.push({ kind: w.kind, name: w.name, target: target2, lines: p2.lines });
  }
  const cm = state.configMap;
  const target = cm ? targetOf(cm.metadata?.annotations) : void 0;
  const p = cm && target ? planConfigMap(cm, state.repos, target, meta) : void 0;
  if (p && target) changes.push({ kind: "ConfigMap", name: cm.metadata.name, target, lines: p.lines });
  return changes;
}

export {
  requirePinned,
  workerSettings,
  ANNOTATIONS,
  planWorkload,
  restoreWorkload,
  CONFIG_KEYS,
  planConfigMap,
  restoreConfigMap,
  readRelease,
  planRelease
};
