import { DagshipError } from '../../src/errors.js';
import { connectKube, loadKubeConfig } from '../../src/kube/cluster.js';
import { deployRelease, type ReleaseOutcome, type ReleaseRequest } from '../../src/kube/deploy.js';
import { credentialsOnce } from '../../src/credentials.js';
import type { KubeCluster } from '../../src/kube/cluster.js';
import { connectHelm } from '../../src/kube/helm.js';
import { helmDeployRelease } from '../../src/kube/helm-deploy.js';
import { pinReference, type PinDeps } from '../../src/kube/resolve.js';
import { connectRegistry } from '../../src/registry/index.js';
import { releaseGate, type GateFlags } from '../attest.js';
import { deployStrategy, presentRelease, releaseRequest, type DeployStrategy, type ReleaseFlags, type StrategyFlags } from '../release-flags.js';
import { appendSummary, setOutput } from '../github.js';
import type { Logger } from '../../src/logger.js';
import { terminalLogger } from '../terminal.js';

export async function deploy(flags: ReleaseFlags & GateFlags & StrategyFlags & { image?: string }): Promise<number> {
  if (!flags.image) throw new DagshipError('deploy needs --image', 'pass the pinned reference `dagship push` printed: --image registry/repo@sha256:…', 'usage');
  const strategy = deployStrategy(flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  // A tag is resolved once, here: the gate checks and the cluster runs that exact digest.
  const image = await pinReference(flags.image, pinDeps, log);
  // Before anything in the cluster is touched: an unchecked, failed or forged image stops here.
  request.verification = await releaseGate(image, flags, log, pinDeps.credentialsFor);
  const cluster = connectKube(loadKubeConfig(flags.context), request.deadline);
  const outcome = await rollOut(strategy, flags.context, cluster, image, request, log);
  presentRelease(outcome, `release '${request.release}' already runs ${image}`, log);
  setOutput('image', image);
  setOutput('deployed', !outcome.dryRun);
  await appendSummary(deploySummary(image, request, outcome));
  return 0;
}

const pinDeps: PinDeps = {
  credentialsFor: credentialsOnce({ cwd: process.cwd() }),
  registry: (host, credentials) => connectRegistry(host, fetch, { credentials, source: '--image' }),
};

/** Patch the workloads (default), or `helm upgrade` the release for teams whose cluster state Helm owns. */
function rollOut(strategy: DeployStrategy, context: string | undefined, cluster: KubeCluster, image: string, request: ReleaseRequest, log: Logger): Promise<ReleaseOutcome> {
  if (strategy.kind === 'patch') return deployRelease(cluster, image, request, log);
  const helm = connectHelm({ context, cwd: process.cwd() });
  return helmDeployRelease(cluster, helm, image, { ...request, chart: strategy.chart, chartVersion: strategy.chartVersion }, log);
}

/** The job summary: the image, how it passed the gate, and each object's change and rollout. */
function deploySummary(image: string, request: ReleaseRequest, outcome: ReleaseOutcome): string {
  const title = outcome.dryRun ? '### 📝 dagship deploy (dry run)' : '### 🚀 dagship deploy';
  const rows = outcome.changes.map((c) => {
    const rollout = outcome.rollouts.find((r) => r.ref.kind === c.kind && r.ref.name === c.name);
    return `| ${c.kind.toLowerCase()}/${c.name} | ${outcome.dryRun ? 'would change' : rollout ? (rollout.ok ? 'rolled out' : `failed: ${rollout.message}`) : 'updated'} |`;
  });
  return [
    title,
    `release \`${request.release}\` in \`${request.namespace}\` → \`${image}\``,
    `release gate: ${request.verification ?? '-'}`,
    '',
    ...(rows.length ? ['| object | result |', '| --- | --- |', ...rows] : ['nothing to do: the release already runs this image']),
  ].join('\n');
}
