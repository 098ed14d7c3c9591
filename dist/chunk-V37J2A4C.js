#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  require_dist
} from "./chunk-U3DOTDAQ.js";
import {
  yamlErrorText
} from "./chunk-4L3VKM7L.js";
import {
  DagshipError,
  __toESM
} from "./chunk-EDJIWXRY.js";

// src/audit/parse.ts
var import_yaml = __toESM(require_dist(), 1);
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
var pathKey = (keyPath) => keyPath.join("\0");
function readValuesFiles(files, cwd = process.cwd()) {
  return files.map((file) => {
    const absolute = path.resolve(cwd, file);
    if (!existsSync(absolute) || !statSync(absolute).isFile()) {
      throw new DagshipError(`values file ${file} does not exist`, "check the --values path (relative to the current directory)", "usage");
    }
    const shown = path.relative(cwd, absolute).split(path.sep).join("/");
    return parseValuesText(readFileSync(absolute, "utf8"), shown);
  });
}
function parseValuesText(text2, file) {
  const lineCounter = new import_yaml.LineCounter();
  const doc = (0, import_yaml.parseDocument)(text2, { lineCounter, version: "1.1", uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    throw new DagshipError(`${file}${line ? `:${line}` : ""}: not valid YAML: ${yamlErrorText(error)}`, "fix the YAML syntax at that line; helm would reject this file too", "config");
  }
  const data = valuesOf(doc, file);
  if (typeof data !== "object" || Array.isArray(data)) {
    const got = Array.isArray(data) ? "a list" : `a ${typeof data}`;
    throw new DagshipError(`${file}: expected a mapping of chart values at the top level, got ${got}`, 'a values file maps keys to values, e.g. "executor: KubernetesExecutor"', "config");
  }
  const positions = /* @__PURE__ */ new Map();
  collectPositions(doc.contents, [], positions, lineCounter);
  const positionOf = (keyPath) => {
    for (let n = keyPath.length; n > 0; n--) {
      const found = positions.get(pathKey(keyPath.slice(0, n)));
      if (found) return found;
    }
    return { line: 1, column: 1 };
  };
  return { file, data, positionOf };
}
function valuesOf(doc, file) {
  try {
    return doc.toJS({ maxAliasCount: 1e3 }) ?? {};
  } catch (err) {
    const what = /excessive alias/i.test(String(err)) ? "YAML aliases expand too far (more than 1000 uses); refused" : "an alias (*name) has no anchor (&name) before it";
    throw new DagshipError(`${file}: ${what}`, "fix the anchors and aliases (&name, *name) of the values file", "config", { cause: err });
  }
}
function collectPositions(node, at, out, lines) {
  const record2 = (keyPath, where) => {
    const offset = (0, import_yaml.isNode)(where) ? where.range?.[0] : void 0;
    if (offset === void 0) return;
    const { line, col } = lines.linePos(offset);
    out.set(pathKey(keyPath), { line, column: col });
  };
  if ((0, import_yaml.isMap)(node)) {
    for (const pair of node.items) {
      const key = (0, import_yaml.isScalar)(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === "<<") continue;
      const keyPath = [...at, key];
      record2(keyPath, pair.key);
      collectPositions(pair.value, keyPath, out, lines);
    }
  } else if ((0, import_yaml.isSeq)(node)) {
    node.items.forEach((item, index) => {
      const keyPath = [...at, String(index)];
      record2(keyPath, item);
      collectPositions(item, keyPath, out, lines);
    });
  }
}

// src/audit/values.ts
var splitPath = (keyPath) => typeof keyPath === "string" ? keyPath.split(".") : [...keyPath];
function isMapping(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function mergeValues(defaults, files) {
  const data = structuredClone(defaults);
  const origins = /* @__PURE__ */ new Map();
  for (const file of files) mergeMap(data, file.data, [], file, origins);
  return new MergedValues(data, origins, files.map((f) => f.file));
}
function mergeMap(target, source, at, file, origins) {
  for (const [key, value] of Object.entries(source)) {
    const keyPath = [...at, key];
    record(origins, keyPath, file);
    if (value === null) {
      delete target[key];
      dropUnder(origins, keyPath);
    } else if (isMapping(value) && isMapping(target[key])) {
      mergeMap(target[key], value, keyPath, file, origins);
    } else {
      target[key] = structuredClone(value);
      dropUnder(origins, keyPath);
      recordAll(origins, value, keyPath, file);
    }
  }
}
function record(origins, keyPath, file) {
  const { line, column } = file.positionOf(keyPath);
  origins.set(pathKey(keyPath), { keyPath, origin: { file: file.file, line, column } });
}
function recordAll(origins, value, at, file) {
  const children = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : isMapping(value) ? Object.entries(value) : [];
  for (const [key, child] of children) {
    record(origins, [...at, key], file);
    recordAll(origins, child, [...at, key], file);
  }
}
function dropUnder(origins, keyPath) {
  const prefix = `${pathKey(keyPath)}\0`;
  for (const key of origins.keys()) if (key.startsWith(prefix)) origins.delete(key);
}
var RecordedValues = class {
  constructor(data, origins, files) {
    this.data = data;
    this.origins = origins;
    this.files = files;
  }
  data;
  origins;
  files;
  get(keyPath) {
    let node = this.data;
    for (const key of splitPath(keyPath)) {
      if (Array.isArray(node)) node = node[Number(key)];
      else if (isMapping(node)) node = node[key];
      else return void 0;
    }
    return node;
  }
  setBy(keyPath) {
    return this.origins.get(pathKey(splitPath(keyPath)))?.origin;
  }
  where(...keyPaths) {
    for (const keyPath of keyPaths) {
      const origin = this.setBy(keyPath);
      if (origin) return origin;
    }
    return this.unsetOrigin(keyPaths);
  }
  setUnder(prefix) {
    const start = pathKey(splitPath(prefix));
    return [...this.origins.entries()].filter(([key]) => key === start || key.startsWith(`${start}\0`)).map(([, entry]) => entry).sort((a, b) => a.keyPath.length - b.keyPath.length);
  }
};
var MergedValues = class extends RecordedValues {
  unsetOrigin() {
    return { file: this.files[0] ?? "values.yaml", line: 1 };
  }
};

// src/audit/context.ts
function createContext(values, options) {
  const airflowVersion = text(values.get("airflowVersion")) ?? "3";
  const names = (text(values.get("executor")) ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  return {
    values,
    options,
    airflowVersion,
    airflowMajor: Number.parseInt(airflowVersion, 10) || 3,
    // The chart tests executors by substring too: CeleryKubernetesExecutor is both, aliases keep the class name.
    executors: { names, celery: names.some((e) => e.includes("Celery")), kubernetes: names.some((e) => e.includes("KubernetesExecutor")) }
  };
}
function finding(ctx, problem) {
  const { file, line, column } = ctx.values.where(...problem.at);
  return { tool: "dagship", rule: problem.rule, severity: problem.severity, file, line, column, message: problem.message, help: problem.help };
}
function chartTrue(value) {
  if (value === null || value === void 0 || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return true;
}
function airflowBool(value) {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value !== "string") return void 0;
  const v = value.trim().toLowerCase();
  if (["t", "true", "1"].includes(v)) return true;
  if (["f", "false", "0"].includes(v)) return false;
  return void 0;
}
function text(value) {
  if (typeof value === "string") return value.trim() === "" ? void 0 : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return void 0;
}
function isIndirect(value) {
  return /\{\{.*\}\}/s.test(value) || /^ENC\[/.test(value) || /^\$\{[^}]+\}$|^\$\([^)]+\)$/.test(value.trim());
}
function airflowOption(ctx, section, key) {
  const envName = `AIRFLOW__${section}__${key}`.toUpperCase();
  const env = ctx.values.get("env");
  if (Array.isArray(env)) {
    const index = env.findIndex((e) => isMapping(e) && e.name === envName);
    if (index >= 0) return { value: env[index].value, at: ["env", String(index), "value"] };
  }
  const at = ["config", section, key];
  const value = ctx.values.get(at);
  return value === void 0 || value === null ? void 0 : { value, at };
}
function airflowImage(values) {
  return {
    repository: text(values.get("images.airflow.repository")) ?? text(values.get("defaultAirflowRepository")) ?? "apache/airflow",
    tag: text(values.get("images.airflow.tag")) ?? text(values.get("defaultAirflowTag")),
    digest: text(values.get("images.airflow.digest")) ?? text(values.get("defaultAirflowDigest"))
  };
}
function describeImage(image) {
  return `${image.repository}${image.tag ? `:${image.tag}` : ""}${image.digest ? `@${image.digest}` : ""}`;
}
function sameRepository(a, b) {
  const norm = (r) => r.trim().toLowerCase().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "").replace(/^library\//, "").replace(/\/$/, "");
  return norm(a) === norm(b);
}

// src/audit/rules/database.ts
function databaseRules(ctx) {
  if (chartTrue(ctx.values.get("postgresql.enabled"))) {
    return [
      finding(ctx, {
        rule: "helm-metadata-db-in-cluster",
        severity: "error",
        at: ["postgresql.enabled"],
        message: "the metadata database is the chart's in-cluster PostgreSQL (postgresql.enabled is on, the chart's default): one pod without backups, monitoring or failover holds every DAG run, task state, connection and variable \u2014 the chart itself calls it not for production",
        help: 'set postgresql.enabled: false and point Airflow at a managed database through data.metadataSecretName (a Secret whose key "connection" holds postgresql://user:pass@host:5432/db)'
      })
    ];
  }
  return externalDatabase(ctx);
}
function externalDatabase(ctx) {
  const values = ctx.values;
  if (text(values.get("data.metadataSecretName"))) return [];
  const host = text(values.get("data.metadataConnection.host"));
  if (!host) {
    return [
      finding(ctx, {
        rule: "helm-metadata-db-unset",
        severity: "error",
        at: ["postgresql.enabled"],
        message: "postgresql.enabled is off but neither data.metadataSecretName nor data.metadataConnection.host is set: the chart then points Airflow at <release>-postgresql, which no longer exists, and no component can start",
        help: 'create a Secret with key "connection" = postgresql://user:pass@host:5432/db and set data.metadataSecretName: <secret name>'
      })
    ];
  }
  const pass = text(values.get("data.metadataConnection.pass"));
  const setPass = values.setBy("data.metadataConnection.pass");
  const which = !pass ? "without a password" : !setPass ? "with the chart's default password 'postgres'" : isIndirect(pass) ? "with a templated password" : "with its password in the file";
  return [
    finding(ctx, {
      rule: "helm-metadata-db-plain-credentials",
      severity: "error",
      at: ["data.metadataConnection.pass", "data.metadataConnection.host"],
      message: `the metadata database connection (host ${host}) is given as plain values ${which}: the credentials sit in the values file, in git, in \`helm get values\` and in every stored release revision`,
      help: 'put the URI in a Secret (key "connection", e.g. from External Secrets or sealed-secrets) and set data.metadataSecretName: <secret name>; then drop data.metadataConnection'
    })
  ];
}

// src/audit/rules/dags.ts
var CHART_REPOSITORY = "apache/airflow";
function dagsRules(ctx) {
  const values = ctx.values;
  const gitSync = chartTrue(values.get("dags.gitSync.enabled"));
  const persisted = chartTrue(values.get("dags.persistence.enabled"));
  const out = [];
  if (gitSync) out.push(gitSyncFinding(ctx));
  const baked = bakedState(ctx);
  if (!gitSync && !persisted && !baked.baked) {
    out.push(
      finding(ctx, {
        rule: "helm-dags-not-shipped",
        severity: "error",
        at: ["images.airflow.repository", "defaultAirflowRepository", "dags.gitSync.enabled", "dags.persistence.enabled"],
        message: `no DAGs reach Airflow: ${baked.why}, and neither dags.persistence nor dags.gitSync is enabled \u2014 the scheduler finds an empty DAG folder`,
        help: `deploy the image dagship built and pushed: images.airflow.repository: ${ctx.options.repository ?? "<your dagship repository>"} with images.airflow.tag/digest from dagship push`
      })
    );
  }
  if (persisted && !text(values.get("dags.persistence.existingClaim")) && text(values.get("dags.persistence.accessMode")) !== "ReadWriteMany") out.push(dagsVolumeFinding(ctx));
  return out;
}
function gitSyncFinding(ctx) {
  return finding(ctx, {
    rule: "helm-dags-git-sync",
    severity: "warning",
    at: ["dags.gitSync.enabled"],
    message: "DAGs come from git-sync (dags.gitSync.enabled): every pod pulls the branch on its own schedule, so the scheduler, DAG processor and task pods can run different DAG versions; code reaches production without being checked in the image it runs in; and a git outage or a force-push changes production without a release",
    help: "bake the DAGs into the image (dagship build/push), set images.airflow.repository/tag/digest to it and dags.gitSync.enabled: false"
  });
}
function bakedState(ctx) {
  const image = airflowImage(ctx.values);
  const configured = ctx.options.repository;
  if (configured) {
    return sameRepository(image.repository, configured) ? { baked: true, why: "" } : { baked: false, why: `the Airflow image ${describeImage(image)} is not the dagship-built repository ${configured}` };
  }
  return sameRepository(image.repository, CHART_REPOSITORY) ? { baked: false, why: `the Airflow image is the stock ${describeImage(image)}, which holds no DAGs` } : { baked: true, why: "" };
}
function dagsVolumeFinding(ctx) {
  const mode = text(ctx.values.get("dags.persistence.accessMode")) ?? "ReadWriteOnce";
  return finding(ctx, {
    rule: "helm-dags-pvc-access-mode",
    severity: "warning",
    at: ["dags.persistence.accessMode", "dags.persistence.enabled"],
    message: `the DAG volume claim is ${mode}${ctx.values.setBy("dags.persistence.accessMode") ? "" : " (the chart's default)"}: the scheduler, DAG processor, triggerer and task pods all mount it, and a single-node access mode leaves pods on other nodes Pending`,
    help: "set dags.persistence.accessMode: ReadWriteMany on a storage class that supports it \u2014 or bake the DAGs into the image and drop the volume"
  });
}

// src/audit/rules/deprecated.ts
var MOVED = [
  ["core.dag_concurrency", "core.max_active_tasks_per_dag", "2.2"],
  ["core.sql_alchemy_conn", "database.sql_alchemy_conn", "2.3"],
  ["core.sql_alchemy_pool_size", "database.sql_alchemy_pool_size", "2.3"],
  ["core.sql_alchemy_max_overflow", "database.sql_alchemy_max_overflow", "2.3"],
  ["core.remote_logging", "logging.remote_logging", "2.0"],
  ["core.remote_base_log_folder", "logging.remote_base_log_folder", "2.0"],
  ["core.remote_log_conn_id", "logging.remote_log_conn_id", "2.0"],
  ["core.logging_level", "logging.logging_level", "2.0"],
  ["core.worker_precheck", "celery.worker_precheck", "2.0"],
  ["scheduler.max_threads", "scheduler.parsing_processes", "2.0"],
  ["scheduler.processor_poll_interval", "scheduler.scheduler_idle_sleep_time", "2.2"],
  ["celery.stalled_task_timeout", "scheduler.task_queued_timeout", "2.6"],
  ["kubernetes_executor.worker_pods_pending_timeout", "scheduler.task_queued_timeout", "2.6"],
  ["scheduler.dag_dir_list_interval", "dag_processor.refresh_interval", "3.0"],
  ["scheduler.parsing_pre_import_modules", "dag_processor.parsing_pre_import_modules", "3.0.4"],
  ["webserver.base_url", "api.base_url", "3.0"],
  ["webserver.web_server_host", "api.host", "3.0"],
  ["webserver.web_server_port", "api.port", "3.0"],
  ["webserver.workers", "api.workers", "3.0"],
  ["webserver.web_server_worker_timeout", "api.worker_timeout", "3.0"],
  ["webserver.web_server_ssl_cert", "api.ssl_cert", "3.0"],
  ["webserver.web_server_ssl_key", "api.ssl_key", "3.0"],
  ["webserver.access_logfile", "api.access_logfile", "3.0"],
  ["webserver.expose_config", "api.expose_config", "3.0.1"],
  ["webserver.secret_key", "api.secret_key", "3.0.2"],
  ["webserver.enable_swagger_ui", "api.enable_swagger_ui", "3.0.2"],
  ["webserver.page_size", "api.page_size", "3.1"],
  ["webserver.instance_name", "api.instance_name", "3.1"],
  ["triggerer.default_capacity", "triggerer.capacity", "3.0"],
  ["scheduler.running_metrics_interval", "scheduler.ti_metrics_interval", "3.2"]
];
var CHART_WRITES = /* @__PURE__ */ new Set(["namespace", "pod_template_file", "worker_container_repository", "worker_container_tag", "multi_namespace_mode"]);
var major = (version) => Number.parseInt(version, 10);
function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0));
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}
function deprecatedRules(ctx) {
  const out = [];
  for (const { keyPath } of ctx.values.setUnder("config")) {
    if (keyPath.length !== 3 || ctx.values.get(keyPath) === void 0) continue;
    const [, section, option] = keyPath;
    const moved = MOVED.find(([from]) => from === `${section}.${option}`);
    if (moved && compareVersions(moved[2], ctx.airflowVersion) <= 0) out.push(movedFinding(ctx, keyPath, moved));
    else if (section === "kubernetes") out.push(oldSectionFinding(ctx, keyPath, option));
  }
  return out;
}
function movedFinding(ctx, keyPath, [from, to, since]) {
  const ignored = major(since) < 3 && ctx.airflowMajor >= 3;
  return finding(ctx, {
    rule: "helm-config-deprecated-key",
    severity: "warning",
    at: [keyPath],
    message: `config.${from} was renamed [${to.replace(".", "] ")} in Airflow ${since}: ${ignored ? `Airflow ${ctx.airflowVersion} ignores the old name, so this setting has no effect` : "Airflow reads the old name only as a deprecated fallback"}`,
    help: `move the value to config.${to}`
  });
}
function oldSectionFinding(ctx, keyPath, option) {
  const lost = CHART_WRITES.has(option) ? "the chart also writes this option into [kubernetes_executor], which wins, so this value is ignored" : ctx.airflowMajor >= 3 ? `Airflow ${ctx.airflowVersion} no longer reads [kubernetes], so this setting has no effect` : "Airflow 2.5+ reads [kubernetes] only as a deprecated fallback";
  return finding(ctx, {
    rule: "helm-config-deprecated-key",
    severity: "warning",
    at: [keyPath],
    message: `config.kubernetes.${option}: the [kubernetes] section was renamed [kubernetes_executor] in Airflow 2.5; ${lost}`,
    help: `move the value to config.kubernetes_executor.${option}`
  });
}

// src/audit/defaults.ts
var CHART_VERSION = "1.22.0";
var ingress = () => ({ enabled: false, hosts: [], tls: { enabled: false, secretName: "" } });
var serviceAccount = () => ({ create: true, name: null });
var component = (enabled = true) => ({ enabled, resources: {}, env: [] });
var CHART_DEFAULTS = {
  defaultAirflowRepository: "apache/airflow",
  defaultAirflowTag: "3.2.2",
  defaultAirflowDigest: null,
  airflowVersion: "3.2.2",
  executor: "CeleryExecutor",
  images: {
    airflow: { repository: null, tag: null, digest: null },
    pod_template: { repository: null, tag: null }
  },
  // In-cluster PostgreSQL is on by default: "not recommended for production" in the chart's own words.
  postgresql: { enabled: true },
  data: {
    metadataSecretName: null,
    resultBackendSecretName: null,
    brokerUrlSecretName: null,
    metadataConnection: { user: "postgres", pass: "postgres", protocol: "postgresql", host: null, port: 5432, db: "postgres", sslmode: "disable" },
    resultBackendConnection: null,
    brokerUrl: null
  },
  fernetKey: null,
  fernetKeySecretName: null,
  webserverSecretKey: null,
  webserverSecretKeySecretName: null,
  apiSecretKey: null,
  apiSecretKeySecretName: null,
  jwtSecret: null,
  jwtSecretName: null,
  // The chart's DAG volume claim asks for ReadWriteOnce unless told otherwise.
  dags: { persistence: { enabled: false, accessMode: "ReadWriteOnce", existingClaim: null }, gitSync: { enabled: false } },
  // The chart's own logs claim is always ReadWriteMany (hard-coded in its template).
  logs: { persistence: { enabled: false, existingClaim: null } },
  elasticsearch: { enabled: false },
  opensearch: { enabled: false },
  rbac: { create: true },
  multiNamespaceMode: false,
  networkPolicies: { enabled: false },
  workers: {
    ...component(),
    serviceAccount: serviceAccount(),
    celery: { serviceAccount: serviceAccount() },
    kubernetes: { serviceAccount: serviceAccount() }
  },
  scheduler: component(),
  apiServer: component(),
  webserver: { ...component(), defaultUser: { enabled: true, username: "admin", password: "admin" } },
  triggerer: component(),
  // null: on for Airflow 3 (standalone DAG processor), off for Airflow 2 unless enabled.
  dagProcessor: component(null),
  createUserJob: { enabled: true },
  ingress: { enabled: null, web: ingress(), apiServer: ingress(), flower: ingress() },
  statsd: { enabled: true },
  redis: { enabled: true, password: null, passwordSecretName: null },
  flower: { enabled: false, password: null, secretName: null },
  env: [],
  secret: [],
  extraEnv: null,
  extraSecrets: {}
};
var AIRFLOW_DEFAULTS = {
  "core.parallelism": 32,
  "kubernetes_executor.worker_pods_creation_batch_size": 1,
  "scheduler.scheduler_heartbeat_sec": 5
};

// src/audit/rules/executor.ts
function executorRules(ctx) {
  return [batchSize(ctx), parallelismFloor(ctx), heartbeat(ctx), unusedRedis(ctx)].filter((f) => f !== void 0);
}
function numberOption(ctx, section, key, fallbackSection) {
  const option = airflowOption(ctx, section, key) ?? (fallbackSection ? airflowOption(ctx, fallbackSection, key) : void 0);
  const parsed = option ? Number(text(option.value)) : Number.NaN;
  const fallback = AIRFLOW_DEFAULTS[`${section}.${key}`];
  return Number.isFinite(parsed) ? { value: parsed, at: option?.at } : { value: fallback };
}
function batchSize(ctx) {
  if (!ctx.executors.kubernetes) return void 0;
  const { value, at } = numberOption(ctx, "kubernetes_executor", "worker_pods_creation_batch_size", "kubernetes");
  if (value > 1) return void 0;
  const parallelism = numberOption(ctx, "core", "parallelism").value;
  const suggested = Math.min(32, Math.max(8, Math.round(parallelism / 4)));
  return finding(ctx, {
    rule: "helm-k8s-pod-batch-size",
    severity: "warning",
    at: [at ?? "config.kubernetes_executor.worker_pods_creation_batch_size"],
    message: `[kubernetes_executor] worker_pods_creation_batch_size is ${value}${at ? "" : " (Airflow's default)"}: the scheduler creates ${value} task pod per scheduler loop, so a burst of queued tasks starts one by one`,
    help: `set config.kubernetes_executor.worker_pods_creation_batch_size: ${suggested} (about a quarter of parallelism ${parallelism}; raise it as far as your API server tolerates)`
  });
}
function parallelismFloor(ctx) {
  const floor = ctx.options.minParallelism;
  if (floor === void 0) return void 0;
  const { value, at } = numberOption(ctx, "core", "parallelism");
  if (value >= floor) return void 0;
  return finding(ctx, {
    rule: "helm-parallelism-below-floor",
    severity: "warning",
    at: [at ?? "config.core.parallelism"],
    message: `[core] parallelism is ${value}${at ? "" : " (Airflow's default)"}, below the team's floor of ${floor} (--min-parallelism): at most ${value} task instances run at once across the whole installation`,
    help: `set config.core.parallelism: ${floor} or more`
  });
}
function heartbeat(ctx) {
  const expected = ctx.options.expectedHeartbeat;
  if (expected === void 0) return void 0;
  const { value, at } = numberOption(ctx, "scheduler", "scheduler_heartbeat_sec");
  if (value === expected) return void 0;
  return finding(ctx, {
    rule: "helm-scheduler-heartbeat",
    severity: "warning",
    at: [at ?? "config.scheduler.scheduler_heartbeat_sec"],
    message: `[scheduler] scheduler_heartbeat_sec is ${value}${at ? " s" : " s, left at Airflow's default"}, but the team runs with ${expected} s (--expected-heartbeat): health checks and liveness probes tuned for ${expected} s misjudge this scheduler`,
    help: `set config.scheduler.scheduler_heartbeat_sec: ${expected}`
  });
}
function unusedRedis(ctx) {
  if (!ctx.executors.kubernetes || ctx.executors.celery) return void 0;
  if (!ctx.values.setBy("redis.enabled") || !chartTrue(ctx.values.get("redis.enabled"))) return void 0;
  return finding(ctx, {
    rule: "helm-redis-unused",
    severity: "note",
    at: ["redis.enabled"],
    message: `redis.enabled is on but the executor (${ctx.executors.names.join(",")}) has no Celery: Redis is only a Celery broker, so it does nothing here (chart 1.22 does not even deploy it) and only misleads readers of the values`,
    help: "set redis.enabled: false"
  });
}

// src/audit/rules/images.ts
function imagesRules(ctx) {
  return [pinning(ctx), ...ctx.executors.kubernetes ? taskImage(ctx) : []].filter((f) => f !== void 0);
}
var IMAGE_KEYS = ["images.airflow.tag", "images.airflow.repository", "defaultAirflowTag", "defaultAirflowRepository"];
function pinning(ctx) {
  const image = airflowImage(ctx.values);
  if (image.digest) return void 0;
  const severity = ctx.options.strict ? "error" : "warning";
  const latest = !image.tag || image.tag === "latest";
  return finding(ctx, {
    rule: latest ? "helm-image-latest" : "helm-image-no-digest",
    severity,
    at: IMAGE_KEYS,
    message: latest ? `the Airflow image is ${describeImage(image)}${image.tag ? "" : " (no tag: latest)"}: a moving tag, so every node that pulls it may get different code, and a rollback has nothing to go back to` : `the Airflow image ${describeImage(image)} is pinned by tag only: a tag can be pushed again, and nodes that already pulled it keep the old content \u2014 what runs is not provably what was tested`,
    help: "set images.airflow.digest: sha256:\u2026 (from dagship push) next to the tag, so every component runs exactly the image that was checked"
  });
}
function taskImage(ctx) {
  const main = airflowImage(ctx.values);
  const repo = airflowOption(ctx, "kubernetes_executor", "worker_container_repository");
  const tag = airflowOption(ctx, "kubernetes_executor", "worker_container_tag");
  const repoValue = repo ? text(repo.value) : main.repository;
  const tagValue = tag ? text(tag.value) : main.tag;
  const template = podTemplateImage(ctx);
  if (repoValue && tagValue) {
    if (repoValue.includes("{{") || tagValue.includes("{{")) return [];
    const task = withDigest(repoValue, tagValue);
    const order = task.repository !== main.repository ? [repo?.at, tag?.at] : [tag?.at, repo?.at];
    const cause2 = order.filter((p) => p !== void 0);
    const out = compare(ctx, main, task, cause2, "worker_container_repository:worker_container_tag");
    if (template.set && !sameImage(main, template.image)) out.push(staleTemplate(ctx, main, template.image));
    return out;
  }
  const cause = [tag?.at, repo?.at, "images.pod_template.repository", "images.pod_template.tag"].filter((p) => p !== void 0);
  return compare(ctx, main, template.image, cause, "the pod template image (worker_container_* are empty)");
}
function podTemplateImage(ctx) {
  const values = ctx.values;
  const repository = text(values.get("images.pod_template.repository")) ?? text(values.get("defaultAirflowRepository")) ?? "apache/airflow";
  const tag = text(values.get("images.pod_template.tag")) ?? text(values.get("defaultAirflowTag"));
  const set = Boolean(values.setBy("images.pod_template.repository") || values.setBy("images.pod_template.tag"));
  return { image: { repository, tag }, set };
}
function withDigest(repository, tag) {
  const [t, digest] = tag.split("@");
  return { repository, tag: t, digest };
}
function sameImage(a, b) {
  if (a.repository !== b.repository) return false;
  return a.digest && b.digest ? a.digest === b.digest : a.tag === b.tag;
}
function compare(ctx, main, task, cause, source) {
  if (!sameImage(main, task)) return [mismatch(ctx, main, task, cause, source)];
  if (main.digest && !task.digest) return [digestIgnored(ctx, main, task)];
  return [];
}
function mismatch(ctx, main, task, cause, source) {
  return finding(ctx, {
    rule: "helm-pod-template-image-mismatch",
    severity: "error",
    at: [...cause, ...IMAGE_KEYS],
    message: `KubernetesExecutor task pods run ${describeImage(task)} (${source}) while the Airflow components run ${describeImage(main)}: tasks execute other DAG code than the scheduler parsed and dagship checked`,
    help: "leave config.kubernetes_executor.worker_container_repository/tag and images.pod_template unset so task pods follow images.airflow \u2014 or set them to exactly the images.airflow image"
  });
}
function digestIgnored(ctx, main, task) {
  return finding(ctx, {
    rule: "helm-task-image-digest-ignored",
    severity: "warning",
    at: ["images.airflow.digest", "defaultAirflowDigest"],
    message: `images.airflow.digest pins the Airflow components to ${describeImage(main)}, but KubernetesExecutor task pods run ${describeImage(task)}: the chart passes only the tag to [kubernetes_executor] worker_container_tag (apache/airflow#58625), so a re-pushed tag gives tasks other code`,
    help: `set config.kubernetes_executor.worker_container_tag: "${main.tag ?? "<tag>"}@${main.digest}" (Airflow builds repository:tag, which then pins the digest) \u2014 or use only immutable tags, as dagship push does`
  });
}
function staleTemplate(ctx, main, template) {
  return finding(ctx, {
    rule: "helm-pod-template-image-stale",
    severity: "warning",
    at: ["images.pod_template.repository", "images.pod_template.tag"],
    message: `images.pod_template renders ${describeImage(template)} into the pod template, not the Airflow image ${describeImage(main)}: today [kubernetes_executor] worker_container_* override it, but the day they are emptied task pods silently run that other image`,
    help: "remove images.pod_template.repository/tag (the pod template then follows the chart defaults and is overridden) or set them to the images.airflow image"
  });
}

// src/audit/rules/logs.ts
function logsRules(ctx) {
  const values = ctx.values;
  if (chartTrue(values.get("logs.persistence.enabled"))) {
    const claim = text(values.get("logs.persistence.existingClaim"));
    return claim ? [existingClaimNote(ctx, claim)] : [];
  }
  if (chartTrue(values.get("elasticsearch.enabled")) || chartTrue(values.get("opensearch.enabled"))) return [];
  const remote = airflowOption(ctx, "logging", "remote_logging");
  const folder = airflowOption(ctx, "logging", "remote_base_log_folder");
  if (remote && airflowBool(remote.value) === true) {
    if (folder && text(folder.value)) return [];
    return [
      finding(ctx, {
        rule: "helm-logs-ephemeral",
        severity: "error",
        at: [remote.at],
        message: "remote logging is on but [logging] remote_base_log_folder is empty: Airflow has nowhere to upload task logs, so they stay in the pod and vanish with it (a KubernetesExecutor task pod is deleted when its task ends)",
        help: "set config.logging.remote_base_log_folder (e.g. s3://bucket/airflow/logs) and config.logging.remote_log_conn_id"
      })
    ];
  }
  return [
    finding(ctx, {
      rule: "helm-logs-ephemeral",
      severity: "error",
      at: ["logs.persistence.enabled", remote?.at ?? "config.logging.remote_logging"],
      message: "task logs are neither on a shared volume (logs.persistence.enabled is off) nor shipped elsewhere (config.logging.remote_logging is off): they live in each pod and vanish when it ends \u2014 task pods, restarted workers and rescheduled schedulers take their logs with them",
      help: "turn on remote logging: config.logging.remote_logging: 'True' with remote_base_log_folder (s3://, gs://, wasb://\u2026) and remote_log_conn_id \u2014 or set logs.persistence.enabled: true (the chart creates a ReadWriteMany claim)"
    })
  ];
}
function existingClaimNote(ctx, claim) {
  return finding(ctx, {
    rule: "helm-logs-existing-claim",
    severity: "note",
    at: ["logs.persistence.existingClaim"],
    message: `the logs volume is the existing claim '${claim}': every component and task pod writes to it, so it must be ReadWriteMany \u2014 the chart creates its own logs claim as ReadWriteMany but cannot check one it did not create`,
    help: `check that claim ${claim} is ReadWriteMany (kubectl get pvc ${claim} -o jsonpath='{.spec.accessModes}'), or drop logs.persistence.existingClaim to let the chart create one`
  });
}

// src/audit/rules/observability.ts
function observabilityRules(ctx) {
  if (chartTrue(ctx.values.get("statsd.enabled"))) return [];
  const statsd = airflowOption(ctx, "metrics", "statsd_on");
  const otel = airflowOption(ctx, "metrics", "otel_on");
  if (statsd && airflowBool(statsd.value) || otel && airflowBool(otel.value)) return [];
  return [
    finding(ctx, {
      rule: "helm-metrics-disabled",
      severity: "warning",
      at: ["statsd.enabled", statsd?.at ?? "config.metrics.statsd_on"],
      message: "Airflow emits no metrics: statsd.enabled is off and neither [metrics] statsd_on nor otel_on is set, so scheduler lag, queued tasks, pool usage and DAG parse times are invisible until something breaks",
      help: "set statsd.enabled: true (the chart's Prometheus exporter), or config.metrics.statsd_on: 'True' with statsd_host/statsd_port for your own StatsD, or config.metrics.otel_on: 'True' for OpenTelemetry"
    })
  ];
}

// src/audit/rules/rbac.ts
function rbacRules(ctx) {
  return [rbacOff(ctx), clusterWide(ctx), ...defaultServiceAccounts(ctx), noNetworkPolicies(ctx)].filter((f) => f !== void 0);
}
function rbacOff(ctx) {
  if (chartTrue(ctx.values.get("rbac.create"))) return void 0;
  return finding(ctx, {
    rule: "helm-rbac-disabled",
    severity: "error",
    at: ["rbac.create"],
    message: "rbac.create is off: the chart creates none of the namespaced Roles Airflow needs to launch and watch pods and read their logs, so either those features fail or someone granted broader rights by hand, outside the release and its review",
    help: "set rbac.create: true so the chart creates exactly the namespaced Roles and RoleBindings Airflow uses"
  });
}
function clusterWide(ctx) {
  if (!chartTrue(ctx.values.get("multiNamespaceMode"))) return void 0;
  return finding(ctx, {
    rule: "helm-rbac-cluster-wide",
    severity: "warning",
    at: ["multiNamespaceMode"],
    message: "multiNamespaceMode is on: the chart creates a ClusterRole and ClusterRoleBinding, so the scheduler (and workers allowed to launch pods) can create, delete and read the logs of pods in every namespace of the cluster",
    help: "set multiNamespaceMode: false unless tasks really run in other namespaces; then grant Roles in just those namespaces yourself"
  });
}
function noNetworkPolicies(ctx) {
  if (chartTrue(ctx.values.get("networkPolicies.enabled"))) return void 0;
  return finding(ctx, {
    rule: "helm-network-policies-disabled",
    severity: "warning",
    at: ["networkPolicies.enabled"],
    message: "networkPolicies.enabled is off (the chart's default): every Airflow pod accepts connections from any pod in the cluster \u2014 the API server, Redis, PgBouncer, the StatsD exporter and the workers' log servers included",
    help: "set networkPolicies.enabled: true (the CNI must enforce NetworkPolicy) and allow your ingress controller with apiServer.networkPolicy.ingress.from"
  });
}
function workerAccountSections(ctx) {
  const sections = /* @__PURE__ */ new Set();
  if (ctx.executors.celery) sections.add("workers.serviceAccount").add("workers.celery.serviceAccount");
  if (ctx.executors.kubernetes) sections.add(chartTrue(ctx.values.get("workers.kubernetes.serviceAccount.create")) ? "workers.kubernetes.serviceAccount" : "workers.serviceAccount");
  return [...sections];
}
function defaultServiceAccounts(ctx) {
  return workerAccountSections(ctx).filter((section) => {
    const create = chartTrue(ctx.values.get(`${section}.create`));
    const name = text(ctx.values.get(`${section}.name`));
    return name === "default" || !create && !name;
  }).map(
    (section) => finding(ctx, {
      rule: "helm-worker-default-service-account",
      severity: "warning",
      at: [`${section}.name`, `${section}.create`],
      message: `workers run as the namespace's default ServiceAccount (${section}: create off and no name, or name 'default'): every other pod in the namespace shares its identity, and any cloud IAM role or RBAC given to task code leaks to all of them`,
      help: `set ${section}.create: true (the chart makes a dedicated account) or ${section}.name: <a dedicated ServiceAccount>`
    })
  );
}

// src/audit/rules/resources.ts
function components(ctx) {
  const values = ctx.values;
  const list = [];
  if (chartTrue(values.get("scheduler.enabled"))) list.push({ key: "scheduler", what: "the scheduler" });
  if (ctx.airflowMajor >= 3 && chartTrue(values.get("apiServer.enabled"))) list.push({ key: "apiServer", what: "the API server" });
  if (ctx.airflowMajor < 3 && chartTrue(values.get("webserver.enabled"))) list.push({ key: "webserver", what: "the webserver" });
  const dagProcessor = values.get("dagProcessor.enabled");
  if (dagProcessor === null || dagProcessor === void 0 ? ctx.airflowMajor >= 3 : chartTrue(dagProcessor)) list.push({ key: "dagProcessor", what: "the DAG processor" });
  if (chartTrue(values.get("triggerer.enabled"))) list.push({ key: "triggerer", what: "the triggerer" });
  if (ctx.executors.celery || ctx.executors.kubernetes) {
    const alternatives = [...ctx.executors.celery ? ["workers.celery"] : [], ...ctx.executors.kubernetes ? ["workers.kubernetes"] : []];
    list.push({ key: "workers", what: ctx.executors.kubernetes && !ctx.executors.celery ? "KubernetesExecutor task pods" : "the workers", plural: true, alternatives });
  }
  return list;
}
function missingParts(ctx, component2) {
  const blocks = [component2.key, ...component2.alternatives ?? []].map((k) => ctx.values.get(`${k}.resources`)).filter(isMapping);
  return ["requests", "limits"].filter((part) => !blocks.some((b) => chartTrue(b[part])));
}
function resourcesRules(ctx) {
  return components(ctx).flatMap((component2) => {
    const missing = missingParts(ctx, component2);
    if (!missing.length) return [];
    const what = missing.length === 2 ? "no resource requests or limits" : `no resource ${missing[0]}`;
    const it = component2.plural ? "them" : "it";
    const why = missing.includes("requests") ? `Kubernetes schedules ${it} blind and evicts ${it} first under memory pressure` : "one busy pod can take a whole node";
    return [
      finding(ctx, {
        rule: "helm-resources-missing",
        severity: "warning",
        at: [`${component2.key}.resources`, ...(component2.alternatives ?? []).map((k) => `${k}.resources`)],
        message: `${component2.what} (${component2.key}.resources) ${component2.plural ? "have" : "has"} ${what}: ${why}`,
        help: `set ${component2.key}.resources.requests (cpu, memory) and ${component2.key}.resources.limits (at least memory), sized from observed usage`
      })
    ];
  });
}

// src/audit/rules/secret-literals.ts
var import_yaml2 = __toESM(require_dist(), 1);
var WELL_KNOWN_KEYS = {
  temporary_key: "Airflow's old built-in default (CVE-2020-17526: anyone can forge a session cookie with it)",
  "<secret_key>": "the placeholder of the chart's production guide",
  changeme: "a common placeholder",
  change_me: "a common placeholder",
  secret: "a common placeholder",
  secret_key: "a common placeholder",
  supersecret: "a common placeholder",
  "your-secret-key": "a common placeholder"
};
var SENSITIVE_OPTIONS = /* @__PURE__ */ new Set([
  "core.fernet_key",
  "core.sql_alchemy_conn",
  "database.sql_alchemy_conn",
  "database.sql_alchemy_conn_async",
  "celery.broker_url",
  "celery.result_backend",
  "celery.flower_basic_auth",
  "webserver.secret_key",
  "api.secret_key",
  "api_auth.jwt_secret",
  "smtp.smtp_password",
  "sentry.sentry_dsn"
]);
var SIGNING_KEYS = /* @__PURE__ */ new Set(["webserver.secret_key", "api.secret_key", "api_auth.jwt_secret"]);
var hasUriPassword = (value) => /^[a-z][\w+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i.test(value.trim());
function literal(value) {
  const t = text(value);
  return t && typeof value !== "boolean" && !isIndirect(t) ? t : void 0;
}
function literalFinding(ctx, at, what, fix) {
  return finding(ctx, {
    rule: "helm-secret-literal",
    severity: "error",
    at: [at],
    message: `${what} is written in the values as a literal: it sits in the file, in git, in \`helm get values\` and in every stored release revision`,
    help: fix
  });
}
function wellKnownFinding(ctx, at, what, value, fix) {
  return finding(ctx, {
    rule: "helm-secret-key-well-known",
    severity: "error",
    at: [at],
    message: `${what} is '${value}', ${WELL_KNOWN_KEYS[value.trim().toLowerCase()] ?? "a well-known value"}: anyone who knows it can sign session cookies or tokens and log in as any user`,
    help: `generate a new key (python3 -c 'import secrets; print(secrets.token_hex(32))'), keep it in a Secret, and ${fix}`
  });
}
var isWellKnown = (value) => value.trim().toLowerCase() in WELL_KNOWN_KEYS;
function configLiterals(ctx) {
  const out = [];
  for (const { keyPath } of ctx.values.setUnder("config")) {
    if (keyPath.length !== 3) continue;
    const option = `${keyPath[1]}.${keyPath[2]}`;
    const value = literal(ctx.values.get(keyPath));
    if (!value || !sensitiveOption(keyPath[1], keyPath[2], value)) continue;
    const what = `config.${option}`;
    const fix = `remove it from the values and provide it from a Secret: the chart's built-in secrets, a secrets backend, or ${keyPath[2]}_secret / ${keyPath[2]}_cmd`;
    out.push(SIGNING_KEYS.has(option) && isWellKnown(value) ? wellKnownFinding(ctx, keyPath, what, value, `drop ${what}`) : literalFinding(ctx, keyPath, what, fix));
  }
  return out;
}
var ENV_LISTS = ["env", "scheduler.env", "workers.env", "apiServer.env", "webserver.env", "triggerer.env", "dagProcessor.env"];
var SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|FERNET|CREDENTIAL/i;
function sensitiveEnv(name, value) {
  const option = /^AIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)$/.exec(name);
  if (!option) return name.startsWith("AIRFLOW_CONN_") || SECRET_NAME.test(name);
  return sensitiveOption(option[1].toLowerCase(), option[2].toLowerCase(), value);
}
var SECRET_KWARG = /token|password|secret_id|secret_key|private_key|client_secret/i;
function sensitiveOption(section, option, value) {
  if (SENSITIVE_OPTIONS.has(`${section}.${option}`)) return true;
  if (section === "secrets" && option === "backend_kwargs") return SECRET_KWARG.test(value);
  if (/_(cmd|secret)$/.test(option)) return false;
  return SECRET_NAME.test(option) || hasUriPassword(value);
}
function envLiterals(ctx) {
  const out = [];
  for (const list of ENV_LISTS) {
    const entries = ctx.values.get(list);
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, index) => {
      if (!isMapping(entry) || typeof entry.name !== "string") return;
      const value = literal(entry.value);
      if (!value || !(sensitiveEnv(entry.name, value) || hasUriPassword(value))) return;
      const at = [...list.split("."), String(index), "value"];
      const what = `${list}[${index}] ${entry.name}`;
      out.push(/SECRET_KEY$|JWT_SECRET$/.test(entry.name) && isWellKnown(value) ? wellKnownFinding(ctx, at, what, value, `remove ${entry.name} from ${list}`) : literalFinding(ctx, at, what, `move ${entry.name} into a Secret and reference it from the \`secret\` list (envName/secretName/secretKey) or extraEnvFrom`));
    });
  }
  return out;
}
function extraLiterals(ctx) {
  const out = [];
  const extraEnv = text(ctx.values.get("extraEnv"));
  if (extraEnv && !isIndirect(extraEnv)) {
    for (const name of literalEnvNames(extraEnv)) {
      out.push(literalFinding(ctx, "extraEnv", `extraEnv ${name}`, `use valueFrom.secretKeyRef for ${name} instead of value`));
    }
  }
  const extraSecrets = ctx.values.get("extraSecrets");
  if (isMapping(extraSecrets)) {
    for (const [name, spec] of Object.entries(extraSecrets)) {
      if (!isMapping(spec) || !(literal(spec.data) || literal(spec.stringData))) continue;
      const fix = "create the Secret outside the values (External Secrets, sealed-secrets, or sops-encrypted values) and reference it from extraEnvFrom/secret";
      out.push(literalFinding(ctx, ["extraSecrets", name], `extraSecrets '${name}'`, fix));
    }
  }
  return out;
}
function literalEnvNames(extraEnv) {
  let entries;
  try {
    entries = (0, import_yaml2.parse)(extraEnv);
  } catch {
    return [];
  }
  if (!Array.isArray(entries)) return [];
  return entries.filter((e) => isMapping(e) && typeof e.name === "string").filter((e) => {
    const value = literal(e.value);
    return Boolean(value) && (sensitiveEnv(String(e.name), value) || hasUriPassword(value));
  }).map((e) => String(e.name));
}

// src/audit/rules/secrets.ts
var SECRET_VALUES = [
  ["fernetKey", "fernetKeySecretName", "fernetKey (the key encrypting connections and variables in the database)", false],
  ["webserverSecretKey", "webserverSecretKeySecretName", "webserverSecretKey (signs Airflow 2 session cookies)", true],
  ["apiSecretKey", "apiSecretKeySecretName", "apiSecretKey (signs Airflow 3 sessions and log tokens)", true],
  ["jwtSecret", "jwtSecretName", "jwtSecret (signs Airflow 3 API and task tokens)", true],
  ["data.resultBackendConnection.pass", "data.resultBackendSecretName", "the Celery result backend password", false],
  ["redis.password", "redis.passwordSecretName", "the Redis password", false],
  ["flower.password", "flower.secretName", "the Flower password", false],
  ["elasticsearch.connection.pass", "elasticsearch.secretName", "the Elasticsearch password", false],
  ["opensearch.connection.pass", "opensearch.secretName", "the OpenSearch password", false],
  ["registry.connection.pass", "imagePullSecrets", "the image registry password", false],
  ["dags.gitSync.sshKey", "dags.gitSync.sshKeySecret", "the git-sync SSH private key", false],
  ["kerberos.keytabBase64Content", void 0, "the Kerberos keytab", false],
  ["pgbouncer.ssl.key", void 0, "PgBouncer's TLS private key", false]
];
function secretsRules(ctx) {
  return [...chartSecrets(ctx), brokerUrl(ctx), ...configLiterals(ctx), ...envLiterals(ctx), ...extraLiterals(ctx), ...generatedKeys(ctx), secretsBackend(ctx), defaultAdmin(ctx)].filter(
    (f) => f !== void 0
  );
}
function chartSecrets(ctx) {
  const out = [];
  for (const [key, secretName, what, signing] of SECRET_VALUES) {
    const value = literal(ctx.values.get(key));
    if (!value) continue;
    const fix = secretName ? `create the Secret yourself and set ${secretName}: <name>; remove ${key}` : `provide it from a Secret mounted with extraVolumes; remove ${key}`;
    out.push(signing && isWellKnown(value) ? wellKnownFinding(ctx, key, what, value, `set ${secretName}: <name>; remove ${key}`) : literalFinding(ctx, key, what, fix));
  }
  return out;
}
function brokerUrl(ctx) {
  const value = literal(ctx.values.get("data.brokerUrl"));
  if (!value || !hasUriPassword(value)) return void 0;
  return literalFinding(ctx, "data.brokerUrl", "data.brokerUrl (the Celery broker URI with its password)", 'put the URI in a Secret (key "connection") and set data.brokerUrlSecretName: <name>; remove data.brokerUrl');
}
function generatedKeys(ctx) {
  const keys = ctx.airflowMajor >= 3 ? [
    ["apiSecretKey", "apiSecretKeySecretName", "api-secret-key", "api", "secret_key"],
    ["jwtSecret", "jwtSecretName", "jwt-secret", "api_auth", "jwt_secret"]
  ] : [["webserverSecretKey", "webserverSecretKeySecretName", "webserver-secret-key", "webserver", "secret_key"]];
  return keys.filter(([value, secretName, , section, option]) => !text(ctx.values.get(value)) && !text(ctx.values.get(secretName)) && !airflowOption(ctx, section, option)).map(
    ([value, secretName, secretKey]) => finding(ctx, {
      rule: "helm-secret-key-generated",
      severity: "warning",
      at: [secretName, value],
      message: `neither ${secretName} nor ${value} is set: the chart renders a new random key on every helm upgrade, so each upgrade restarts every component and invalidates all sessions and tokens signed with the old key`,
      help: `create a Secret once (kubectl create secret generic airflow-${secretKey} --from-literal=${secretKey}=$(python3 -c 'import secrets; print(secrets.token_hex(32))')) and set ${secretName}: airflow-${secretKey}`
    })
  );
}
function secretsBackend(ctx) {
  const backend = airflowOption(ctx, "secrets", "backend");
  if (backend && text(backend.value)) return void 0;
  return finding(ctx, {
    rule: "helm-secrets-backend-missing",
    severity: "warning",
    at: [backend?.at ?? "config.secrets.backend"],
    message: "no secrets backend is configured ([secrets] backend is empty): connections and variables live in the metadata database, readable by every Airflow admin and by anyone with the database and the Fernet key, and rotating one is a manual edit",
    help: "set config.secrets.backend (e.g. airflow.providers.hashicorp.secrets.vault.VaultBackend or airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend) and config.secrets.backend_kwargs"
  });
}
function defaultAdmin(ctx) {
  const values = ctx.values;
  if (!chartTrue(values.get("createUserJob.enabled")) || !chartTrue(values.get("webserver.defaultUser.enabled"))) return void 0;
  const password = text(values.get("webserver.defaultUser.password"));
  const user = text(values.get("webserver.defaultUser.username")) ?? "admin";
  const which = !values.setBy("webserver.defaultUser.password") ? `the chart's default password '${password ?? ""}'` : "a password written in the values";
  return finding(ctx, {
    rule: "helm-default-admin-user",
    severity: "error",
    at: ["webserver.defaultUser.password", "webserver.defaultUser.enabled", "createUserJob.enabled"],
    message: `the chart's create-user job makes an Admin user '${user}' with ${which}: anyone who reaches the UI can log in as Admin`,
    help: "set webserver.defaultUser.enabled: false (or createUserJob.enabled: false) and create users through your identity provider or once by hand with a generated password"
  });
}

export {
  pathKey,
  readValuesFiles,
  splitPath,
  isMapping,
  mergeValues,
  RecordedValues,
  createContext,
  finding,
  chartTrue,
  airflowImage,
  describeImage,
  databaseRules,
  dagsRules,
  deprecatedRules,
  CHART_VERSION,
  CHART_DEFAULTS,
  executorRules,
  imagesRules,
  pinning,
  logsRules,
  observabilityRules,
  rbacRules,
  noNetworkPolicies,
  defaultServiceAccounts,
  resourcesRules,
  WELL_KNOWN_KEYS,
  hasUriPassword,
  literal,
  isWellKnown,
  configLiterals,
  sensitiveEnv,
  secretsRules,
  secretsBackend
};
