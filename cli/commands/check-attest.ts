import { pinnedImage, recordResult, rulesApplied } from '../../src/attest/index.js';
import { checkDags } from '../../src/checks/dags.js';
import { type Options, baselinePath } from '../../src/config.js';
import { credentialsOnce } from '../../src/credentials.js';
import { connectDocker } from '../../src/engine/index.js';
import { ensureImage } from '../../src/image/pull.js';
import { DagshipError } from '../../src/errors.js';
import { judge } from '../../src/outcome.js';
import { artifactRegistry, signingKey } from '../attest.js';
import { present } from '../present.js';
import { terminalLogger } from '../terminal.js';
import { VERSION } from '../version.js';
import { summaryLines } from '../../src/checks/summary.js';
import type { CheckFlags } from '../flags.js';

/**
 * Checks the DAGs baked into a pushed image and records the result beside it in the registry, passed or
 * failed: deploy reads it back. The working tree plays no part, so the result is about the image alone.
 */
export async function checkAndAttest(options: Options, flags: CheckFlags): Promise<number> {
  if (!flags.image) throw new DagshipError('--attest needs --image', 'pass the pinned reference dagship push printed: --image registry/repository@sha256:…', 'usage');
  if (flags.changedSince) throw new DagshipError('--attest checks the whole image; --changed-since does not apply', 'drop --changed-since', 'usage');
  const target = pinnedImage(flags.image);
  const key = signingKey();
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const engine = connectDocker();
  const credentialsFor = credentialsOnce({ cwd: options.root });
  const registry = await artifactRegistry(target.host, credentialsFor);
  await ensureImage(engine, flags.image, credentialsFor, log, { what: 'image', setting: '--image' });
  const { run, result } = await checkDags({ options, image: flags.image, baked: true, dagshipVersion: VERSION }, engine, log);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const labels = (await engine.image(flags.image))?.labels ?? {};
  await recordResult(registry, { image: target, outcome, rulesRun: rulesApplied(options.check, false), labels, dagshipVersion: VERSION, signingKey: key }, log);
  return present(outcome, {
    title: 'dagship check',
    reports: flags.reports,
    summary: summaryLines(result, flags.image, Date.now() - started),
    json: { airflow_version: result.airflow_version, image: flags.image, files: result.files, timings: result.timings },
  });
}
