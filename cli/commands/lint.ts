import { baselinePath } from '../../src/config.js';
import { runLint } from '../../src/checks/lint.js';
import { lintAirflowMajor } from '../../src/checks/lint-target.js';
import { lintToolsImage } from '../../src/checks/tools-image.js';
import { connectDocker } from '../../src/engine/index.js';
import { judge } from '../../src/outcome.js';
import { terminalLogger } from '../terminal.js';
import type { ConfigFlags, ReportFlags } from '../flags.js';
import { loadSettings } from '../settings.js';
import { imageCredentials } from '../credentials.js';
import { present } from '../present.js';
import { changedSelection } from '../changed.js';

export type LintFlags = ConfigFlags & ReportFlags & { changedSince?: string };

/** ruff and bandit over the repository, in the tools image (configured, or this release's, built once). */
export async function lint(repoPath: string | undefined, flags: LintFlags): Promise<number> {
  const options = loadSettings(repoPath, flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const engine = connectDocker();
  const selection = await changedSelection(options, flags.changedSince, log);
  const airflowMajor = await lintAirflowMajor(options, engine, imageCredentials(options), log);
  const tools = await lintToolsImage(options, engine, log);
  const runs = await runLint({ root: options.root, toolsImage: tools, files: selection?.lint, airflowMajor, format: options.lint.format }, engine, log);
  const outcome = judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  return present(outcome, { title: 'dagship lint', reports: flags.reports, summary: [`elapsed ${((Date.now() - started) / 1000).toFixed(1)}s`] });
}
