import { airflowImage } from '../../src/config.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fingerprintAll, writeBaseline } from '../../src/baseline.js';
import { checkDags } from '../../src/checks/dags.js';
import { runLint } from '../../src/checks/lint.js';
import { lintAirflowMajor } from '../../src/checks/lint-target.js';
import { lintToolsImage } from '../../src/checks/tools-image.js';
import { connectDocker } from '../../src/engine/index.js';
import type { ConfigFlags } from '../flags.js';
import { loadSettings } from '../settings.js';
import { imageCredentials } from '../credentials.js';
import { terminalLogger } from '../terminal.js';
import { VERSION } from '../version.js';

export type BaselineFlags = ConfigFlags & { output?: string; image?: string };

/** Records today's lint and check findings as known, so only new ones fail from now on. */
export async function baseline(repoPath: string | undefined, flags: BaselineFlags): Promise<number> {
  const options = loadSettings(repoPath, flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const docker = connectDocker();
  const airflowMajor = await lintAirflowMajor(options, docker, imageCredentials(options), log);
  const lintRuns = await runLint({ root: options.root, toolsImage: await lintToolsImage(options, docker, log), airflowMajor, format: options.lint.format }, docker, log);
  const checked = await checkDags({ options, image: airflowImage(options, flags.image), dagshipVersion: VERSION }, docker, log);
  const runs = [...lintRuns, checked.run];
  const fingerprints = runs.flatMap((r) => fingerprintAll(r.findings, options.root));
  const output = path.resolve(options.root, flags.output ?? options.baseline ?? '.dagship-baseline.json');
  writeFileSync(output, writeBaseline(fingerprints));
  process.stdout.write(`wrote ${fingerprints.length} known finding(s) to ${output}\nuse it with --baseline ${path.relative(process.cwd(), output) || output} (or 'baseline:' in dagship.yaml)\n`);
  return 0;
}
