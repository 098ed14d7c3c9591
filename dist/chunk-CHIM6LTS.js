#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  auditOptionsOf,
  auditValues
} from "./chunk-NUM66ZME.js";
import {
  CHART_VERSION,
  airflowImage,
  describeImage
} from "./chunk-2ZBJNGZI.js";
import {
  VERSION
} from "./chunk-2E57LOES.js";
import {
  judge,
  present
} from "./chunk-EFR3PT74.js";
import "./chunk-SQYA2VGU.js";
import "./chunk-MGNN7A3E.js";
import "./chunk-3P7JFNUS.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
import "./chunk-ZBQHUFCK.js";
import "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import {
  baselinePath
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/audit.ts
async function audit(flags) {
  const options = loadSettings(flags.path, flags);
  const auditOptions = withAuditFlags(auditOptionsOf(options), flags);
  if (flags.release || flags.namespace) return auditLive(flags, options, auditOptions);
  const [files, cwd] = flags.values?.length ? [flags.values, process.cwd()] : [options.audit.values, options.root];
  if (!files.length) {
    throw new DagshipError("dagship audit needs at least one values file", "pass --values values.yaml (repeat it for more files, later ones win, like helm -f), or list them under audit.values in dagship.yaml", "usage");
  }
  const { run, values } = auditValues(files, cwd, auditOptions, VERSION);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  return present(outcome, {
    title: "dagship audit",
    reports: flags.reports,
    summary: [summaryLine(values, auditOptions)],
    json: { chart_defaults: CHART_VERSION, values_files: values.files, airflow_image: describeImage(airflowImage(values)) }
  });
}
async function auditLive(flags, options, auditOptions) {
  if (!flags.release || !flags.namespace) {
    throw new DagshipError("a live audit needs both --release and --namespace", "e.g. dagship audit --release airflow --namespace airflow (helm list -A shows both)", "usage");
  }
  if (flags.values?.length) {
    throw new DagshipError("--values and --release cannot be combined", "run dagship audit --values \u2026 for the files and dagship audit --release \u2026 for the running release, one after the other", "usage");
  }
  const { connectKube, loadKubeConfig } = await import("./chunk-N572XKH3.js");
  const { auditRelease } = await import("./chunk-YSUUEDOF.js");
  const cluster = connectKube(loadKubeConfig(flags.context));
  const { run, values } = await auditRelease(cluster, flags.namespace, flags.release, auditOptions, VERSION);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const where = `release ${flags.release} in namespace ${flags.namespace}${flags.context ? ` (context ${flags.context})` : ""}`;
  return present(outcome, {
    title: "dagship audit",
    reports: flags.reports,
    summary: [`${where} \xB7 ${run.files.length} object(s) read \xB7 Airflow ${String(values.get("airflowVersion"))} \xB7 ${String(values.get("executor") || "-")} \xB7 scheduler image ${describeImage(airflowImage(values))}`],
    json: { release: flags.release, namespace: flags.namespace, objects: run.files, airflow_image: describeImage(airflowImage(values)) }
  });
}
function withAuditFlags(options, flags) {
  return { ...options, repository: flags.imageRepository ?? options.repository };
}
function summaryLine(values, options) {
  const executor = String(values.get("executor") ?? "-");
  const airflow = String(values.get("airflowVersion") ?? "-");
  const repo = options.repository ? ` \xB7 dagship repository ${options.repository}` : "";
  return `chart defaults ${CHART_VERSION} \xB7 Airflow ${airflow} \xB7 ${executor} \xB7 image ${describeImage(airflowImage(values))}${repo}`;
}
export {
  audit
};
