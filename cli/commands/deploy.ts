import { DagshipError } from '../../src/errors.js';
import { connectKube, loadKubeConfig } from '../../src/kube/cluster.js';
import { deployRelease, type ReleaseOutcome, type ReleaseRequest } from '../../src/kube/deploy.js';
import { label } from '../../src/kube/watch.js';
import type { Logger } from '../../src/logger.js';
import { releaseGate, type GateFlags } from '../attest.js';
import { parseDuration, type ReleaseFlags } from '../release-flags.js';
import { terminalLogger } from '../terminal.js';

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

export async function deploy(flags: ReleaseFlags & GateFlags & { image?: string }): Promise<number> {
  if (!flags.image) throw new DagshipError('deploy needs --image', 'pass the pinned reference `dagship push` printed: --image registry/repo@sha256:…', 'usage');
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  // Before anything in the cluster is touched: an unchecked, failed or forged image stops here.
  request.verification = await releaseGate(flags.image, flags, log);
  const cluster = connectKube(loadKubeConfig(flags.context));
  const outcome = await deployRelease(cluster, flags.image, request, log);
  present(outcome, `release '${request.release}' already runs ${flags.image}`, log);
  return 0;
}
