import { airflowImage, baselinePath } from '../../src/config.js';
import { cacheRoot } from '../../src/checks/check-cache.js';
import { connectDocker } from '../../src/engine/index.js';
import { DagshipError } from '../../src/errors.js';
import { ensureImage } from '../../src/image/pull.js';
import { judge } from '../../src/outcome.js';
import { runTests } from '../../src/testing/run.js';
import { imageCredentials } from '../credentials.js';
import type { ConfigFlags, ReportFlags } from '../flags.js';
import { present } from '../present.js';
import { loadSettings } from '../settings.js';
import { terminalLogger } from '../terminal.js';
import { VERSION } from '../version.js';

export type TestFlags = ConfigFlags & ReportFlags & { image?: string; dag?: string[]; cache?: boolean };

/** The team's pytest suite and DAG runs in the Airflow image, the repository mounted where the image keeps it. */
export async function test(repoPath: string | undefined, flags: TestFlags): Promise<number> {
  const options = loadSettings(repoPath, flags);
  const image = airflowImage(options, flags.image);
  const log = terminalLogger(Boolean(flags.verbose));
  const engine = connectDocker();
  await ensureImage(engine, image, imageCredentials(options), log, flags.image ? { what: 'image', setting: '--image' } : undefined);
  const tested = await runTests({ options, image, baked: false, dags: flags.dag, dagshipVersion: VERSION, cacheDir: flags.cache === false ? undefined : cacheRoot() }, engine, log);
  if (!tested) {
    // A gate that ran nothing must not pass.
    throw new DagshipError(
      `nothing to test in ${options.root}: no ${options.test.paths.join(', ')} and no DAG runs asked for`,
      'put the pytest suite in tests/ (or set test.paths), or name DAGs to run with --dag ID or test.dags in dagship.yaml',
      'config',
    );
  }
  const outcome = judge(tested.runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  return present(outcome, {
    title: 'dagship test',
    reports: flags.reports,
    summary: tested.summary,
    json: { image, airflow_version: tested.result.airflow_version, tests: tested.result.tests, dags: tested.result.dags },
  });
}
