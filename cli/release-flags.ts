import type { Command } from 'commander';
import { DagshipError } from '../src/errors.js';

export interface ReleaseFlags {
  release?: string;
  namespace?: string;
  context?: string;
  timeout?: string;
  dryRun?: boolean;
  revision?: string;
  verbose?: boolean;
}

/** Flags deploy and rollback share. */
export function withReleaseFlags(command: Command): Command {
  return command
    .requiredOption('--release <name>', 'Helm release of the Airflow chart')
    .requiredOption('-n, --namespace <ns>', 'namespace of the release')
    .option('--context <name>', 'kubeconfig context (default: current)')
    .option('--timeout <duration>', 'how long rollouts may take: 90s, 10m, 1h', '10m')
    .option('--dry-run', 'print the change per object; change nothing')
    .option('--revision <rev>', 'recorded as dagship.io/revision (default: the image tag or digest)')
    .option('-v, --verbose', 'show debug output');
}

/** `10m`, `90s`, `1h`, or plain seconds. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new DagshipError(`invalid ${flag} '${text}'`, 'use a duration like 90s, 10m or 1h', 'usage');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
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
