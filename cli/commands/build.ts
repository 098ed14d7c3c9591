import { connectDocker } from '../../src/engine/index.js';
import { gitRepo } from '../../src/git.js';
import { withBuildFlags, type BuildFlags } from '../build-options.js';
import { loadSettings } from '../settings.js';
import { imageCredentials } from '../credentials.js';
import { setOutput } from '../github.js';
import { terminalLogger } from '../terminal.js';

/** Builds the DAG image of the current commit; prints its reference (repository:tag) on stdout. */
export async function build(repoPath: string | undefined, flags: BuildFlags): Promise<number> {
  const options = withBuildFlags(loadSettings(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  // Time since the process started: Node's own start-up plus loading dagship's modules.
  log.debug(`build starts ${Math.round(performance.now())} ms after the process`);
  // Loaded here, not at the top: push imports this file for withBuildFlags and never builds.
  const { buildImage } = await import('../../src/image/build.js');
  const result = await buildImage(
    { options, allowDirty: flags.allowDirty, includeBaseLayers: flags.includeBaseLayers },
    {
      engine: connectDocker(),
      git: gitRepo(options.root),
      credentialsFor: imageCredentials(options),
    },
    log,
  );
  for (const tag of result.tags.slice(1)) log.info(`also tagged ${tag}`);
  setOutput('image', result.image);
  process.stdout.write(`${result.image}\n`);
  return 0;
}
