import { parseDuration } from '../src/duration.js';
import { DagshipError } from '../src/errors.js';
import { PhaseDeadline } from '../src/kube/deadline.js';
import type { ReleaseOutcome, ReleaseRequest } from '../src/kube/deploy.js';
import { label } from '../src/kube/watch.js';
import type { Logger } from '../src/logger.js';

export interface ReleaseFlags {
  release?: string;
  namespace?: string;
  context?: string;
  timeout?: string;
  lockTimeout?: string;
  dryRun?: boolean;
  revision?: string;
  verbose?: boolean;
}

export interface StrategyFlags {
  strategy?: string;
  chart?: string;
  chartVersion?: string;
}

export type DeployStrategy = { kind: 'patch' } | { kind: 'helm'; chart: string; chartVersion?: string };

/** --strategy and the chart `helm upgrade` needs, checked before any work. */
export function deployStrategy(flags: StrategyFlags): DeployStrategy {
  const kind = flags.strategy ?? 'patch';
  if (kind !== 'patch' && kind !== 'helm') {
    throw new DagshipError(`invalid --strategy '${kind}'`, 'use --strategy patch (patch the workloads; the default) or --strategy helm (helm upgrade the release)', 'usage');
  }
  if (kind === 'patch') {
    if (flags.chart || flags.chartVersion) throw new DagshipError('--chart and --chart-version only apply to --strategy helm', 'add --strategy helm, or drop --chart/--chart-version', 'usage');
    return { kind };
  }
  if (!flags.chart) {
    throw new DagshipError(
      '--strategy helm needs --chart: helm upgrade renders the release again from its chart',
      'pass the chart the release was installed from, e.g. --chart apache-airflow/airflow --chart-version 1.18.0 (a repo/name, a local path or an oci:// reference)',
      'usage',
    );
  }
  return { kind, chart: flags.chart, chartVersion: flags.chartVersion };
}

/** The request deploy and rollback share; its deadline also bounds every API request the cluster client makes. */
export function releaseRequest(flags: ReleaseFlags): ReleaseRequest {
  return {
    release: flags.release!,
    namespace: flags.namespace!,
    timeoutMs: parseDuration(flags.timeout ?? '10m', '--timeout'),
    lockTimeoutMs: parseDuration(flags.lockTimeout ?? '5m', '--lock-timeout'),
    dryRun: flags.dryRun,
    revision: flags.revision,
    deadline: new PhaseDeadline(),
  };
}

/** Dry runs and no-ops print the plan on stdout; progress went to stderr. */
export function presentRelease(outcome: ReleaseOutcome, what: string, log: Logger): void {
  if (outcome.changes.length === 0) {
    log.info(`nothing to do: ${what}`);
    return;
  }
  for (const change of outcome.changes) {
    process.stdout.write(`${label(change)}\n${change.lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
  if (outcome.dryRun) log.info(`dry run: ${outcome.changes.length} objects would change; nothing was changed`);
  else log.info(`${outcome.changes.length} objects changed; all rollouts complete${outcome.revision ? ` (release record ${outcome.revision})` : ''}`);
}
