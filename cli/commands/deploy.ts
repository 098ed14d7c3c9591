import type { Command } from 'commander';
import { DagshipError } from '../../src/errors.js';
import { connectKube, loadKubeConfig } from '../../src/kube/cluster.js';
import { deployRelease, type ReleaseOutcome, type ReleaseRequest } from '../../src/kube/deploy.js';
import { label } from '../../src/kube/watch.js';
import type { Logger } from '../../src/logger.js';
import { terminalLogger } from '../terminal.js';

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
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new DagshipError(`invalid --timeout '${text}'`, 'use a duration like 90s, 10m or 1h', 'usage');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

export function releaseRequest(flags: ReleaseFlags): ReleaseRequest {
  return { release: flags.release!, namespace: flags.namespace!, timeoutMs: parseDuration(flags.timeout ?? '10m'), dryRun: flags.dryRun, revision: flags.revision };
}

/** Dry runs and no-ops print the plan on stdout; progress went to stderr. */
export function present(outcome: ReleaseOutcome, what: string, log: Logger): void {
  if (outcome.changes.length === 0) {
    log.info(`nothing to do: ${what}`);
    return;
  }
  for (const change of outcome.changes) {
    process.stdout.write(`${label(change)}\n${change.lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
  if (outcome.dryRun) log.info(`dry run: ${outcome.changes.length} objects would change; nothing was changed`);
  else log.info(`${outcome.changes.length} objects changed; all rollouts complete`);
}

export async function deploy(flags: ReleaseFlags & { image?: string }): Promise<number> {
  if (!flags.image) throw new DagshipError('deploy needs --image', 'pass the pinned reference `dagship push` printed: --image registry/repo@sha256:…', 'usage');
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  const cluster = connectKube(loadKubeConfig(flags.context));
  const outcome = await deployRelease(cluster, flags.image, request, log);
  present(outcome, `release '${request.release}' already runs ${flags.image}`, log);
  return 0;
}
