import { airflowImage, baselinePath } from '../../src/config.js';
import { cacheRoot } from '../../src/checks/check-cache.js';
import { commentOnPullRequest, wantsComment } from '../pr-comment.js';
import { checkDags } from '../../src/checks/dags.js';
import { summaryLines } from '../../src/checks/summary.js';
import { connectDocker } from '../../src/engine/index.js';
import { ensureImage } from '../../src/image/pull.js';
import { imageCredentials } from '../credentials.js';
import { judge } from '../../src/outcome.js';
import { VERSION } from '../version.js';
import type { CheckFlags } from '../flags.js';
import { loadSettings } from '../settings.js';
import { present } from '../present.js';
import { terminalLogger } from '../terminal.js';
import { changedSelection } from '../changed.js';

/** Imports every DAG file as the scheduler will, in the Airflow image. */
export async function check(repoPath: string | undefined, flags: CheckFlags): Promise<number> {
  const options = loadSettings(repoPath, flags);
  // The attest path (registry, signing, credentials) is loaded only when asked for: start-up is per command.
  if (flags.attest) return (await import('./check-attest.js')).checkAndAttest(options, flags);
  const image = airflowImage(options, flags.image);
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const selection = await changedSelection(options, flags.changedSince, log);
  const cacheDir = flags.cache === false ? undefined : cacheRoot();
  const engine = connectDocker();
  await ensureImage(engine, image, imageCredentials(options), log, flags.image ? { what: 'image', setting: '--image' } : undefined);
  const { run, result } = await checkDags({ options, image, files: selection?.dags, dagshipVersion: VERSION, cacheDir }, engine, log);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const code = await present(outcome, {
    title: 'dagship check',
    reports: flags.reports,
    summary: summaryLines(result, image, Date.now() - started),
    json: { airflow_version: result.airflow_version, image, files: result.files, timings: result.timings },
  });
  if (wantsComment(flags.prComment)) await commentOnPullRequest('dagship check', outcome, result.files, options, log);
  return code;
}
