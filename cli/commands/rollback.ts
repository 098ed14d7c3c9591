import { connectKube, loadKubeConfig } from '../../src/kube/cluster.js';
import { rollbackRelease } from '../../src/kube/deploy.js';
import { terminalLogger } from '../terminal.js';
import type { ReleaseFlags } from '../release-flags.js';
import { present, releaseRequest } from './deploy.js';

/** Returns a release to the images recorded by the last deploy (dagship.io/previous-image). */
export async function rollback(flags: ReleaseFlags): Promise<number> {
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  const cluster = connectKube(loadKubeConfig(flags.context));
  const outcome = await rollbackRelease(cluster, request, log);
  present(outcome, `release '${request.release}' is already on its previous images`, log);
  return 0;
}
