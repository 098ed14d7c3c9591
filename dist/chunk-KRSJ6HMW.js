#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/release-flags.ts
function withReleaseFlags(command) {
  return command.requiredOption("--release <name>", "Helm release of the Airflow chart").requiredOption("-n, --namespace <ns>", "namespace of the release").option("--context <name>", "kubeconfig context (default: current)").option("--timeout <duration>", "how long rollouts may take: 90s, 10m, 1h", "10m").option("--dry-run", "print the change per object; change nothing").option("--revision <rev>", "recorded as dagship.io/revision (default: the image tag or digest)").option("-v, --verbose", "show debug output");
}
function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new DagshipError(`invalid --timeout '${text}'`, "use a duration like 90s, 10m or 1h", "usage");
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5 }[m[2] ?? "s"];
  return Number(m[1]) * unit;
}
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

export {
  withReleaseFlags,
  parseDuration,
  deployStrategy
};
