#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  REQUEST_TIMEOUT_MS
} from "./chunk-5PO4BX4U.js";
import {
  DagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

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
  const pause = stop ? POLL_BESIDE_WATCH_MS : intervalMs;
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
        const timer = setTimeout(done, Math.min(pause, Math.max(0, deadline - Date.now())));
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

// cli/release-flags.ts
function withReleaseFlags(command) {
  return command.requiredOption("--release <name>", "Helm release of the Airflow chart").requiredOption("-n, --namespace <ns>", "namespace of the release").option("--context <name>", "kubeconfig context (default: current)").option("--timeout <duration>", "how long rollouts may take: 90s, 10m, 1h (a server that stops answering ends it within this plus 45s)", "10m").option("--lock-timeout <duration>", "how long to wait while another deploy or rollback of the release holds its lock", "5m").option("--dry-run", "print the change per object; change nothing").option("--revision <rev>", "recorded as dagship.io/revision (default: the image tag or digest)").option("-v, --verbose", "show debug output");
}
function parseDuration(text, flag = "--timeout") {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new DagshipError(`invalid ${flag} '${text}'`, "use a duration like 90s, 10m or 1h", "usage");
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
function releaseRequest(flags) {
  return {
    release: flags.release,
    namespace: flags.namespace,
    timeoutMs: parseDuration(flags.timeout ?? "10m"),
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
  PhaseDeadline,
  label,
  watchRollouts,
  withReleaseFlags,
  parseDuration,
  deployStrategy,
  releaseRequest,
  presentRelease
};
