import { DagshipError } from '../errors.js';
import { run, type ExecResult } from '../exec.js';
import { tail } from '../text.js';

/** A Helm release as `helm status -o json` reports it. */
export interface HelmReleaseInfo {
  revision: number;
  status: string;
  /** The rendered objects of this revision (YAML documents). */
  manifest: string;
}

export interface HelmUpgrade {
  release: string;
  namespace: string;
  /** A chart path, a packaged chart, `repo/name` or an oci:// reference: whatever `helm upgrade` takes. */
  chart: string;
  chartVersion?: string;
  /** Set as strings (`--set-string`): a tag like `1.10` must not become the number 1.1. */
  values: Record<string, string>;
  dryRun?: boolean;
  /** Recorded in the release history (`helm history`). */
  description?: string;
  timeoutMs: number;
}

/** The Helm CLI as deploy needs it; a fake of this drives the unit tests. */
export interface Helm {
  /** undefined when the namespace has no such release. */
  status(release: string, namespace: string): Promise<HelmReleaseInfo | undefined>;
  /** The values the user supplied to the current revision (`helm get values`). */
  values(release: string, namespace: string): Promise<Record<string, unknown>>;
  /** `helm upgrade --reuse-values`; returns the new revision (what it would be, on a dry run). */
  upgrade(request: HelmUpgrade): Promise<HelmReleaseInfo>;
  rollback(release: string, namespace: string, revision: number, timeoutMs: number): Promise<void>;
}

export interface HelmOptions {
  /** The helm program: DAGSHIP_HELM, else `helm` on PATH. */
  binary?: string;
  context?: string;
  cwd: string;
}

export function connectHelm(options: HelmOptions): Helm {
  const binary = options.binary || process.env.DAGSHIP_HELM || 'helm';
  const common = (namespace: string) => ['--namespace', namespace, ...(options.context ? ['--kube-context', options.context] : [])];
  const helm = async (args: string[], what: string): Promise<ExecResult> => {
    const result = await run(binary, args, { cwd: options.cwd });
    if (result.exitCode !== 0 && !isNotFound(result)) throw helmError(what, result);
    return result;
  };
  return {
    async status(release, namespace) {
      const result = await helm(['status', release, ...common(namespace), '--output', 'json'], `helm status ${release}`);
      return isNotFound(result) ? undefined : releaseInfo(result.stdout);
    },
    async values(release, namespace) {
      const result = await helm(['get', 'values', release, ...common(namespace), '--output', 'json'], `helm get values ${release}`);
      if (isNotFound(result)) throw helmError(`helm get values ${release}`, result);
      return (JSON.parse(result.stdout || 'null') as Record<string, unknown> | null) ?? {};
    },
    async upgrade(r) {
      const args = ['upgrade', r.release, r.chart, ...common(r.namespace), '--reuse-values', '--timeout', `${Math.ceil(r.timeoutMs / 1000)}s`, '--output', 'json'];
      if (r.chartVersion) args.push('--version', r.chartVersion);
      if (r.description) args.push('--description', r.description);
      if (r.dryRun) args.push('--dry-run');
      for (const [key, value] of Object.entries(r.values)) args.push('--set-string', `${key}=${escapeSetValue(value)}`);
      const result = await helm(args, `helm upgrade ${r.release} ${r.chart}`);
      if (isNotFound(result)) throw helmError(`helm upgrade ${r.release} ${r.chart}`, result);
      return releaseInfo(result.stdout);
    },
    async rollback(release, namespace, revision, timeoutMs) {
      const result = await helm(['rollback', release, String(revision), ...common(namespace), '--timeout', `${Math.ceil(timeoutMs / 1000)}s`], `helm rollback ${release} ${revision}`);
      if (isNotFound(result)) throw helmError(`helm rollback ${release} ${revision}`, result);
    },
  };
}

/** helm's `--set` syntax treats commas and backslashes specially, even in --set-string. */
export function escapeSetValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,');
}

function isNotFound(result: ExecResult): boolean {
  return result.exitCode !== 0 && /release: not found/.test(result.stderr);
}

function releaseInfo(stdout: string): HelmReleaseInfo {
  const json = JSON.parse(stdout) as { version?: number; info?: { status?: string }; manifest?: string };
  return { revision: json.version ?? 0, status: json.info?.status ?? 'unknown', manifest: json.manifest ?? '' };
}

/** The useful end of helm's stderr; a chart or release problem is the user's to fix (config), the rest infra. */
function helmError(what: string, result: ExecResult): DagshipError {
  const detail = tail(result.stderr || result.stdout, 5);
  if (/release: not found/.test(detail)) {
    return new DagshipError(`${what}: no such Helm release`, 'check --release and --namespace (helm list -n <namespace>); --strategy helm needs a release installed with helm', 'config');
  }
  const chartProblem = /not found|no such file|failed to download|could not find|invalid chart|chart requires|no chart version/i.test(detail);
  return new DagshipError(
    `${what} failed (exit ${result.exitCode}): ${detail}`,
    chartProblem ? 'check --chart (a path, repo/name or oci:// reference) and --chart-version' : 'read helm’s message above; check the cluster connection and the release (helm history)',
    chartProblem ? 'config' : 'infra',
  );
}
