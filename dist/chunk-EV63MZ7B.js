#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  CHART_DEFAULTS,
  chartTrue,
  createContext,
  dagsRules,
  databaseRules,
  deprecatedRules,
  executorRules,
  finding,
  imagesRules,
  isMapping,
  logsRules,
  mergeValues,
  observabilityRules,
  rbacRules,
  readValuesFiles,
  resourcesRules,
  secretsRules
} from "./chunk-V37J2A4C.js";

// src/audit/rules/exposure.ts
var WHAT = {
  apiServer: "the Airflow UI and REST API (Airflow 3)",
  web: "the Airflow webserver UI (Airflow 2)",
  flower: "Flower, which can control Celery workers"
};
function exposureRules(ctx) {
  const out = [];
  for (const name of ["apiServer", "web", "flower"]) {
    if (name === "flower" && !(ctx.executors.celery && chartTrue(ctx.values.get("flower.enabled")))) continue;
    const enabled = chartTrue(ctx.values.get(["ingress", name, "enabled"])) || chartTrue(ctx.values.get("ingress.enabled"));
    if (!enabled) continue;
    const missing = plainHost(ctx, name);
    if (!missing.length) continue;
    out.push(
      finding(ctx, {
        rule: "helm-ingress-without-tls",
        severity: "error",
        at: [...missing, ["ingress", name, "enabled"], "ingress.enabled"],
        message: `ingress.${name} is enabled without TLS: ${WHAT[name]} is served over plain HTTP, so logins, session cookies, tokens and connection passwords typed into forms cross the network in clear text`,
        help: `set ingress.${name}.hosts[].tls.enabled: true with tls.secretName (or ingress.${name}.tls.enabled and secretName); if TLS really ends at a load balancer in front of the ingress, record this finding in the baseline`
      })
    );
  }
  return out;
}
function plainHost(ctx, name) {
  const hosts = ctx.values.get(["ingress", name, "hosts"]);
  const shared = chartTrue(ctx.values.get(["ingress", name, "tls", "enabled"]));
  const list = Array.isArray(hosts) && hosts.length ? hosts : [void 0];
  for (const [index, host] of list.entries()) {
    if (isMapping(host)) {
      if (!chartTrue(isMapping(host.tls) ? host.tls.enabled : void 0)) return [["ingress", name, "hosts", String(index)]];
    } else if (!shared) {
      return [["ingress", name, "tls", "enabled"], ["ingress", name, "hosts", String(index)]];
    }
  }
  return [];
}

// src/audit/index.ts
var GROUPS = [databaseRules, dagsRules, logsRules, secretsRules, rbacRules, exposureRules, observabilityRules, executorRules, deprecatedRules, imagesRules, resourcesRules];
function runAudit(values, options = {}) {
  const ctx = createContext(values, options);
  return GROUPS.flatMap((group) => group(ctx));
}

// src/audit/run.ts
function auditOptionsOf(options) {
  return {
    repository: options.repository,
    strict: options.audit.strict,
    minParallelism: options.audit.min_parallelism,
    expectedHeartbeat: options.audit.expected_heartbeat
  };
}
function auditValues(files, cwd, options, version) {
  const values = mergeValues(CHART_DEFAULTS, readValuesFiles(files, cwd));
  return { run: { tool: "dagship", version, files: values.files, findings: runAudit(values, options) }, values, options };
}
function auditConfiguredValues(options, version) {
  return auditValues(options.audit.values, options.root, auditOptionsOf(options), version);
}
function joinRuns(run, more) {
  return more.reduce((a, b) => ({ ...a, files: [...a.files, ...b.files], findings: [...a.findings, ...b.findings] }), run);
}

export {
  auditOptionsOf,
  auditValues,
  auditConfiguredValues,
  joinRuns
};
