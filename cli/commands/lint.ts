import path from 'node:path';
import { runLint } from '../../src/checks/lint.js';
import { loadOptions } from '../../src/config.js';
import { connectDocker } from '../../src/docker.js';
import { DagshipError } from '../../src/errors.js';
import { judge } from '../../src/outcome.js';
import { terminalLogger } from '../terminal.js';
import type { ConfigFlags, ReportFlags } from '../flags.js';
import { present } from '../present.js';

export type LintFlags = ConfigFlags & ReportFlags;

/** ruff and bandit over the repository, in the tools image. */
export async function lint(repoPath: string | undefined, flags: LintFlags): Promise<number> {
  const options = loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides });
  if (!options.tools_image) {
    throw new DagshipError('no tools image configured for lint', "set 'tools_image' in dagship.yaml (a Python image with ruff and bandit) or pass --tools-image", 'config');
  }
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const runs = await runLint({ root: options.root, toolsImage: options.tools_image }, connectDocker(), log);
  const outcome = judge(runs, { root: options.root, failOn: options.fail_on, baseline: options.baseline && path.resolve(options.root, options.baseline) });
  return present(outcome, { title: 'dagship lint', reports: flags.reports, summary: [`elapsed ${((Date.now() - started) / 1000).toFixed(1)}s`] });
}
