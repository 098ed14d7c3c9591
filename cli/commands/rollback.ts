import { credentialsOnce } from '../../src/credentials.js';
import { connectKube, loadKubeConfig } from '../../src/kube/cluster.js';
import { connectHelm } from '../../src/kube/helm.js';
import { rollbackRelease } from '../../src/kube/rollback.js';
import { releaseGate, type GateFlags } from '../attest.js';
import { presentRelease, releaseRequest, type ReleaseFlags } from '../release-flags.js';
import { terminalLogger } from '../terminal.js';

/** Returns a release to its state before the last deploy, as recorded in the cluster; the image goes through the release gate. */
export async function rollback(flags: ReleaseFlags & GateFlags): Promise<number> {
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  const cluster = connectKube(loadKubeConfig(flags.context), request.deadline);
  const credentialsFor = credentialsOnce({ cwd: process.cwd() });
  const verify = async (images: string[]) => {
    const results: string[] = [];
    for (const image of images) results.push(await releaseGate(image, flags, log, credentialsFor));
    return [...new Set(results)].join('; ');
  };
  const outcome = await rollbackRelease(cluster, request, verify, log, connectHelm({ context: flags.context, cwd: process.cwd() }));
  presentRelease(
    outcome,
    outcome.revision
      ? `release '${request.release}' is already on its state before revision ${outcome.revision}`
      : `no deploy of release '${request.release}' took effect: its last deploys failed and were undone`,
    log,
  );
  return 0;
}
