#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  readRelease
} from "./chunk-WGYGLQRU.js";
import {
  COMPONENTS
} from "./chunk-H4Z5DEF4.js";
import {
  RecordedValues,
  WELL_KNOWN_KEYS,
  chartTrue,
  configLiterals,
  createContext,
  dagsRules,
  databaseRules,
  defaultServiceAccounts,
  deprecatedRules,
  executorRules,
  hasUriPassword,
  isMapping,
  isWellKnown,
  literal,
  logsRules,
  noNetworkPolicies,
  observabilityRules,
  pathKey,
  pinning,
  resourcesRules,
  secretsBackend,
  sensitiveEnv,
  splitPath
} from "./chunk-2ZBJNGZI.js";
import "./chunk-FFWHJTTK.js";
import {
  require_dist
} from "./chunk-VTW57CTW.js";
import {
  repositoryOf,
  splitReference
} from "./chunk-DDMSHZPD.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError,
  __toESM
} from "./chunk-EDJIWXRY.js";

// src/audit/live-objects.ts
var import_yaml = __toESM(require_dist(), 1);

// src/audit/airflow-cfg.ts
function parseAirflowCfg(text) {
  const out = [];
  let section;
  let last;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/\s+$/, "");
    if (!line.trim() || /^\s*[#;]/.test(line)) return;
    if (/^\s/.test(line) && last) {
      last.value = `${last.value}
${line.trim()}`;
      return;
    }
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1].trim().toLowerCase();
      last = void 0;
      return;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!pair || !section) return;
    last = { section, option: pair[1].trim().toLowerCase(), value: pair[2], line: index + 1 };
    out.push(last);
  });
  return out;
}

// src/audit/live-objects.ts
function liveRelease(namespace, release, objects) {
  const components2 = /* @__PURE__ */ new Map();
  for (const w of objects.workloads) {
    const c = componentOf(w);
    if (c && COMPONENTS.includes(c) && w.object.metadata?.labels?.release === release) components2.set(c, w);
  }
  const configMap = objects.configMaps.find((c) => c.metadata?.name === `${release}-config`) ?? objects.configMaps.find((c) => c.data?.["airflow.cfg"] !== void 0);
  return { namespace, release, objects, components: components2, configMap, cfg: parseAirflowCfg(configMap?.data?.["airflow.cfg"] ?? ""), podTemplate: podTemplateOf(configMap) };
}
function podTemplateOf(configMap) {
  const text = configMap?.data?.["pod_template_file.yaml"];
  if (!text) return void 0;
  try {
    const pod = (0, import_yaml.parse)(text);
    return pod?.spec ? pod : void 0;
  } catch {
    return void 0;
  }
}
var componentOf = (w) => w.object.metadata?.labels?.component ?? w.object.spec?.template.metadata?.labels?.component;
var objectName = (w) => `${w.kind.toLowerCase()}/${w.name}`;
var configMapFile = (live, key) => `configmap/${live.configMap?.metadata?.name ?? `${live.release}-config`}/${key}`;
function mainContainer(w) {
  const containers = w?.object.spec?.template.spec?.containers ?? [];
  return containers.find((c) => c.name === componentOf(w)) ?? containers[0];
}
var templateContainer = (pod) => pod?.spec?.containers.find((c) => c.name === "base") ?? pod?.spec?.containers[0];
function lineOf(text, needle) {
  const index = text?.split("\n").findIndex((l) => l.includes(needle)) ?? -1;
  return index >= 0 ? index + 1 : void 0;
}
function literalEnv(container, name) {
  const entry = container?.env?.find((e) => e.name === name);
  return entry && entry.value !== void 0 && !entry.valueFrom ? entry.value : void 0;
}
function claimOf(w, volume) {
  return w?.object.spec?.template.spec?.volumes?.find((v) => v.name === volume)?.persistentVolumeClaim?.claimName;
}

// src/audit/live-facts.ts
var LiveValues = class extends RecordedValues {
  constructor(fallback, cfgFile) {
    super({}, /* @__PURE__ */ new Map(), [fallback.file]);
    this.fallback = fallback;
    this.cfgFile = cfgFile;
  }
  fallback;
  cfgFile;
  set(keyPath, value, origin) {
    const keys = splitPath(keyPath);
    let node = this.data;
    for (const key of keys.slice(0, -1)) {
      if (!isMapping(node[key])) node[key] = {};
      node = node[key];
    }
    node[keys.at(-1)] = value;
    this.mark(keys, origin);
  }
  /** Records where a key already set (a list item, say) shows in the cluster. */
  mark(keyPath, origin) {
    const keys = splitPath(keyPath);
    if (origin) this.origins.set(pathKey(keys), { keyPath: keys, origin });
  }
  /** An Airflow option nobody set points at airflow.cfg, where it would go; anything else at the release. */
  unsetOrigin(keyPaths) {
    return keyPaths.some((k) => splitPath(k)[0] === "config") ? this.cfgFile : this.fallback;
  }
};
var at = (w) => w ? { file: objectName(w) } : void 0;
function liveValues(live) {
  const values = new LiveValues({ file: `release/${live.release}` }, { file: configMapFile(live, "airflow.cfg") });
  for (const o of live.cfg) values.set(["config", o.section, o.option], o.value, { file: configMapFile(live, "airflow.cfg"), line: o.line });
  const scheduler = live.components.get("scheduler");
  const env = (mainContainer(scheduler)?.env ?? []).filter((e) => e.value !== void 0 && !e.valueFrom);
  values.set("env", env.map((e) => ({ name: e.name, value: e.value })));
  env.forEach((_, i) => values.mark(["env", String(i), "value"], at(scheduler)));
  const executor = env.find((e) => e.name === "AIRFLOW__CORE__EXECUTOR")?.value ?? live.cfg.find((o) => o.section === "core" && o.option === "executor")?.value;
  values.set("executor", executor ?? "", at(scheduler));
  values.set("airflowVersion", live.components.has("webserver") && !live.components.has("api-server") ? "2" : "3");
  image(values, live, scheduler);
  platform(values, live, scheduler);
  components(values, live);
  workers(values, live);
  return values;
}
function image(values, live, scheduler) {
  const ref = splitReference(mainContainer(scheduler)?.image ?? "");
  if (!ref) return;
  values.set("images.airflow.repository", ref.name, at(scheduler));
  if (ref.tag) values.set("images.airflow.tag", ref.tag, at(scheduler));
  if (ref.digest) values.set("images.airflow.digest", ref.digest, at(scheduler));
}
function platform(values, live, scheduler) {
  const byComponent = (c) => live.objects.workloads.find((w) => w.object.metadata?.labels?.component === c);
  const postgres = live.objects.workloads.find((w) => w.object.metadata?.labels?.["app.kubernetes.io/name"] === "postgresql" || w.name === `${live.release}-postgresql`);
  values.set("postgresql.enabled", Boolean(postgres), at(postgres));
  const gitSync = [...live.components.values()].find((w) => [...w.object.spec?.template.spec?.containers ?? [], ...w.object.spec?.template.spec?.initContainers ?? []].some((c) => c.name.startsWith("git-sync")));
  values.set("dags.gitSync.enabled", Boolean(gitSync), at(gitSync));
  const dagsClaim = claimOf(scheduler, "dags") ?? claimOf(live.components.get("dag-processor"), "dags");
  values.set("dags.persistence.enabled", Boolean(dagsClaim), dagsClaim ? { file: `persistentvolumeclaim/${dagsClaim}` } : void 0);
  if (dagsClaim) values.set("dags.persistence.accessMode", accessMode(live, dagsClaim), { file: `persistentvolumeclaim/${dagsClaim}` });
  const logsClaim = claimOf(scheduler, "logs");
  values.set("logs.persistence.enabled", Boolean(logsClaim), logsClaim ? at(scheduler) : void 0);
  values.set("elasticsearch.enabled", false);
  values.set("opensearch.enabled", false);
  const statsd = byComponent("statsd");
  values.set("statsd.enabled", Boolean(statsd), at(statsd));
  const redis = byComponent("redis");
  if (redis) values.set("redis.enabled", true, at(redis));
  const policy = live.objects.networkPolicies[0];
  values.set("networkPolicies.enabled", Boolean(policy), policy ? { file: `networkpolicy/${policy.metadata?.name}` } : void 0);
}
function accessMode(live, claim) {
  const modes = live.objects.claims.find((c) => c.metadata?.name === claim)?.spec?.accessModes;
  return !modes?.length || modes.includes("ReadWriteMany") ? "ReadWriteMany" : modes[0];
}
var VALUES_KEYS = { scheduler: "scheduler", "api-server": "apiServer", webserver: "webserver", "dag-processor": "dagProcessor", triggerer: "triggerer" };
function components(values, live) {
  for (const [component, key] of Object.entries(VALUES_KEYS)) {
    const w = live.components.get(component);
    values.set(`${key}.enabled`, Boolean(w));
    if (w) values.set(`${key}.resources`, resourcesOf(mainContainer(w)), at(w));
  }
}
function workers(values, live) {
  const worker = live.components.get("worker");
  const template = templateContainer(live.podTemplate);
  const origin = worker ? at(worker) : { file: configMapFile(live, "pod_template_file.yaml"), line: lineOf(live.configMap?.data?.["pod_template_file.yaml"], "serviceAccountName") };
  const spec = worker ? worker.object.spec?.template.spec : live.podTemplate?.spec;
  values.set("workers.resources", resourcesOf(worker ? mainContainer(worker) : template), worker ? at(worker) : { file: configMapFile(live, "pod_template_file.yaml") });
  values.set("workers.serviceAccount", { create: true, name: spec ? spec.serviceAccountName || "default" : null });
  values.mark("workers.serviceAccount.name", spec ? origin : void 0);
  values.set("workers.celery.serviceAccount", { create: true, name: null });
  values.set("workers.kubernetes.serviceAccount", { create: false });
}
var resourcesOf = (c) => ({ ...c?.resources?.requests ? { requests: c.resources.requests } : {}, ...c?.resources?.limits ? { limits: c.resources.limits } : {} });

// src/audit/live-images.ts
function identity(image2) {
  const ref = splitReference(image2);
  const repository = (ref && repositoryOf(image2)) ?? image2;
  if (ref?.digest) return { key: `${repository}@${ref.digest}`, pinned: true, repository };
  return { key: `${repository}:${ref?.tag ?? "latest"}`, pinned: false, repository };
}
function runningImages(live, kubernetesExecutor) {
  const out = [];
  for (const component of COMPONENTS) {
    const w = live.components.get(component);
    const c = mainContainer(w);
    if (w && c?.image) out.push({ who: component, where: { file: objectName(w) }, shown: `${objectName(w)} container ${c.name}`, image: c.image });
    if (c?.image) out.push(...stalePods(live, component, c.image));
  }
  if (kubernetesExecutor) {
    const task = taskImage(live);
    if (task) out.push(task);
  }
  return out;
}
function stalePods(live, component, template) {
  return live.objects.pods.filter((p) => p.metadata?.labels?.component === component && !p.metadata.deletionTimestamp && !["Succeeded", "Failed"].includes(p.status?.phase ?? "")).flatMap((p) => {
    const c = p.spec?.containers.find((x) => x.name === component) ?? p.spec?.containers[0];
    if (!c?.image || identity(c.image).key === identity(template).key) return [];
    const name = p.metadata?.name ?? "";
    return [{ who: `${component} pod ${name}`, where: { file: `pod/${name}` }, shown: `pod/${name} container ${c.name}`, image: c.image }];
  });
}
function workerSetting(live, option) {
  const scheduler = live.components.get("scheduler");
  const env = literalEnv(mainContainer(scheduler), `AIRFLOW__KUBERNETES_EXECUTOR__${option.toUpperCase()}`);
  if (env && scheduler) return { value: env, where: { file: objectName(scheduler) }, shown: `${objectName(scheduler)} env AIRFLOW__KUBERNETES_EXECUTOR__${option.toUpperCase()}` };
  const cfg = live.cfg.find((o) => o.section === "kubernetes_executor" && o.option === option && o.value.trim());
  const file = configMapFile(live, "airflow.cfg");
  return cfg ? { value: cfg.value.trim(), where: { file, line: cfg.line }, shown: `${file} [kubernetes_executor] ${option}` } : void 0;
}
function taskImage(live) {
  const repo = workerSetting(live, "worker_container_repository");
  const tag = workerSetting(live, "worker_container_tag");
  if (repo && tag) {
    const shown = repo.where.file === tag.where.file ? `${repo.shown}/_${tag.shown.split("_").pop()}` : `${repo.shown}, ${tag.shown}`;
    return { who: "task pods", where: tag.where, shown, image: `${repo.value}:${tag.value}`, task: true };
  }
  const base = templateContainer(live.podTemplate);
  if (!base?.image) return void 0;
  const file = configMapFile(live, "pod_template_file.yaml");
  return { who: "task pods", where: { file, line: lineOf(live.configMap?.data?.["pod_template_file.yaml"], base.image) }, shown: `${file} container ${base.name}`, image: base.image, task: true };
}
function groups(running) {
  const byKey = /* @__PURE__ */ new Map();
  for (const r of running) byKey.set(identity(r.image).key, [...byKey.get(identity(r.image).key) ?? [], r]);
  return [...byKey.values()].sort((a, b) => b.length - a.length);
}
var list = (rs) => rs.map((r) => `${r.who} (${r.shown})`).join(", ");
function imageDrift(live, kubernetesExecutor) {
  const running = runningImages(live, kubernetesExecutor);
  const [main, ...others] = groups(running);
  if (!main || !others.length) return [];
  const mainPinned = identity(main[0].image);
  const unproven = others.filter((g) => g.every((r) => r.task) && mainPinned.pinned && !identity(g[0].image).pinned && identity(g[0].image).repository === mainPinned.repository);
  const drifted = others.filter((g) => !unproven.includes(g));
  const out = unproven.map((g) => digestIgnored(main[0].image, g[0]));
  if (drifted.length) out.push(drift(main, drifted));
  return out;
}
function drift(main, others) {
  const odd = [...others].sort((a, b) => a.length - b.length)[0][0];
  const parts = [main, ...others].map((g) => `${list(g)} ${g.length > 1 ? "run" : "runs"} ${g[0].image}`);
  return {
    tool: "dagship",
    rule: "helm-image-drift",
    severity: "error",
    file: odd.where.file,
    line: odd.where.line,
    message: `the release runs ${others.length + 1} different Airflow images: ${parts.join("; ")} \u2014 the scheduler, DAG processor and task pods parse and execute different DAG code, and not all of it is what dagship checked`,
    help: "move every component to one pinned image at once: dagship deploy --image <repository>@sha256:\u2026 (it patches every workload and the KubernetesExecutor worker image), or helm upgrade with images.airflow only and no per-component image overrides"
  };
}
function digestIgnored(main, task) {
  return {
    tool: "dagship",
    rule: "helm-task-image-digest-ignored",
    severity: "warning",
    file: task.where.file,
    line: task.where.line,
    message: `the Airflow components run ${main}, pinned by digest, but KubernetesExecutor task pods are created with ${task.image} (${task.shown}), a tag: if the tag is pushed again, tasks run other code`,
    help: 'pin the task image too: worker_container_tag "<tag>@sha256:\u2026" (dagship deploy writes it so)'
  };
}
function staleTemplate(live, kubernetesExecutor) {
  const running = runningImages(live, kubernetesExecutor);
  const task = running.find((r) => r.task);
  const base = templateContainer(live.podTemplate);
  if (!task || task.shown.includes("pod_template_file") || !base?.image || identity(base.image).key === identity(task.image).key) return [];
  const text = live.configMap?.data?.["pod_template_file.yaml"];
  return [
    {
      tool: "dagship",
      rule: "helm-pod-template-image-stale",
      severity: "warning",
      file: configMapFile(live, "pod_template_file.yaml"),
      line: lineOf(text, base.image),
      message: `the pod template's container ${base.name} holds ${base.image}, not the task image ${task.image}: today [kubernetes_executor] worker_container_* override it, but the day they are emptied task pods silently run that other image`,
      help: "keep the pod template on the Airflow image: leave images.pod_template unset (dagship deploy moves both)"
    }
  ];
}

// src/audit/live-rules.ts
function pods(live) {
  const out = [...live.components.values()].map((w) => ({ file: objectName(w), spec: w.object.spec?.template.spec }));
  if (live.podTemplate) out.push({ file: configMapFile(live, "pod_template_file.yaml"), text: live.configMap?.data?.["pod_template_file.yaml"], spec: live.podTemplate.spec });
  return out;
}
function liveEnvLiterals(live) {
  const out = [];
  for (const pod of pods(live)) {
    const found = /* @__PURE__ */ new Map();
    for (const c of [...pod.spec?.initContainers ?? [], ...pod.spec?.containers ?? []]) {
      for (const e of c.env ?? []) {
        const value = e.valueFrom ? void 0 : literal(e.value);
        if (!value || !(sensitiveEnv(e.name, value) || hasUriPassword(value))) continue;
        found.set(e.name, { value, containers: [...found.get(e.name)?.containers ?? [], c.name] });
      }
    }
    for (const [name, { value, containers }] of found) out.push(envFinding(pod, name, value, containers));
  }
  return out;
}
function envFinding(pod, name, value, containers) {
  const where = { tool: "dagship", severity: "error", file: pod.file, line: lineOf(pod.text, `name: ${name}`) };
  const what = `${name} (container${containers.length > 1 ? "s" : ""} ${containers.join(", ")})`;
  if (/SECRET_KEY$|JWT_SECRET$/.test(name) && isWellKnown(value)) {
    return {
      ...where,
      rule: "helm-secret-key-well-known",
      message: `${what} is '${value}', ${WELL_KNOWN_KEYS[value.trim().toLowerCase()] ?? "a well-known value"}: anyone who knows it can sign session cookies or tokens and log in as any user`,
      help: "generate a new key, keep it in a Secret, and reference it with valueFrom.secretKeyRef (chart: apiSecretKeySecretName / webserverSecretKeySecretName / jwtSecretName)"
    };
  }
  return {
    ...where,
    rule: "helm-secret-literal",
    message: `${what} is set as a literal value in the pod spec: anyone who may read the ${pod.file.split("/")[0]} reads it, and every stored revision keeps it`,
    help: "keep it in a Secret and reference it with valueFrom.secretKeyRef (chart: fernetKeySecretName, data.metadataSecretName, the `secret` list or extraEnvFrom)"
  };
}
function liveIngressTls(live) {
  return live.objects.ingresses.flatMap((ing) => {
    const tls = ing.spec?.tls ?? [];
    const covered = (host) => tls.some((t) => !t.hosts?.length || host !== void 0 && t.hosts.includes(host));
    const hosts = (ing.spec?.rules ?? []).map((r) => r.host);
    const plain = (hosts.length ? hosts : [void 0]).filter((h) => !covered(h));
    if (!plain.length) return [];
    const name = ing.metadata?.name ?? "";
    const component = ing.metadata?.labels?.component ?? "the Airflow UI";
    return [
      {
        tool: "dagship",
        rule: "helm-ingress-without-tls",
        severity: "error",
        file: `ingress/${name}`,
        message: `ingress ${name} (${component}) serves ${plain.map((h) => h ?? "every host").join(", ")} over plain HTTP: logins, session cookies, tokens and connection passwords typed into forms cross the network in clear text`,
        help: "give the ingress a tls entry for each host (chart: ingress.apiServer.hosts[].tls.enabled with secretName); if TLS really ends at a load balancer in front of it, record this finding in the baseline"
      }
    ];
  });
}

// src/audit/live.ts
function auditLive(live, options) {
  const values = liveValues(live);
  const ctx = createContext(values, options);
  const kubernetes = ctx.executors.kubernetes;
  const findings = [
    // Only the in-cluster database shows live; an external one's credentials show as env literals below.
    ...chartTrue(values.get("postgresql.enabled")) ? databaseRules(ctx) : [],
    ...dagsRules(ctx),
    ...logsRules(ctx),
    ...configLiterals(ctx),
    secretsBackend(ctx),
    ...defaultServiceAccounts(ctx),
    noNetworkPolicies(ctx),
    ...observabilityRules(ctx),
    ...executorRules(ctx),
    ...deprecatedRules(ctx),
    pinning(ctx),
    ...resourcesRules(ctx),
    ...imageDrift(live, kubernetes),
    ...staleTemplate(live, kubernetes),
    ...liveEnvLiterals(live),
    ...liveIngressTls(live)
  ];
  return { findings: findings.filter((f) => f !== void 0), values };
}
async function auditRelease(cluster, namespace, release, options, version) {
  const live = await readLive(cluster, namespace, release);
  const { findings, values } = auditLive(live, options);
  const files = [...[...live.components.values()].map(objectName), ...live.objects.configMaps.map((c) => `configmap/${c.metadata?.name}`), ...live.objects.ingresses.map((i) => `ingress/${i.metadata?.name}`)];
  return { run: { tool: "dagship", version, files, findings }, values, live };
}
async function readLive(cluster, namespace, release) {
  try {
    await readRelease(cluster, namespace, release);
    return liveRelease(namespace, release, await cluster.readReleaseObjects(namespace, release));
  } catch (err) {
    if (err instanceof DagshipError && err.message.startsWith("forbidden:")) {
      throw new DagshipError(err.message, `the audit only reads: apply deploy/audit-rbac.yaml in '${namespace}' (get/list on the release's workloads, pods, ConfigMaps, Ingresses, NetworkPolicies and claims) and use that identity`, "config", { cause: err });
    }
    throw err;
  }
}
export {
  auditLive,
  auditRelease
};
