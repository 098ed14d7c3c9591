import { resolveCredentials } from '../../src/credentials.js';
import { connectDocker } from '../../src/engine/index.js';
import { gitRepo } from '../../src/git.js';
import { parseImageReference } from '../../src/image-reference.js';
import { withBuildFlags, type BuildFlags } from '../build-options.js';
import { loadSettings } from '../settings.js';
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
      // DAGSHIP_REGISTRY_* are for the push target; a base image on another registry never gets them.
      credentialsFor: (registry) => resolveCredentials(registry, { cwd: options.root, target: options.repository ? parseImageReference(options.repository).registry : undefined }),
    },
    log,
  );
  for (const tag of result.tags.slice(1)) log.info(`also tagged ${tag}`);
  setOutput('image', result.image);
  process.stdout.write(`${result.image}\n`);
  return 0;
}
