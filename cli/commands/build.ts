import { loadOptions, type Options } from '../../src/config.js';
import { resolveCredentials } from '../../src/credentials.js';
import { connectDocker } from '../../src/engine/index.js';
import { DagshipError } from '../../src/errors.js';
import { gitRepo } from '../../src/git.js';
import { isTag, parseImageReference } from '../../src/image-reference.js';
import type { ConfigFlags } from '../flags.js';
import { terminalLogger } from '../terminal.js';

export type BuildFlags = ConfigFlags & {
  dockerfile?: string;
  pluginsFolder?: string;
  requirements?: string;
  shortSha?: boolean;
  tag?: string[];
  allowDirty?: boolean;
  includeBaseLayers?: boolean;
};

/** Builds the DAG image of the current commit; prints its reference (repository:tag) on stdout. */
export async function build(repoPath: string | undefined, flags: BuildFlags): Promise<number> {
  const options = withBuildFlags(loadBuildOptions(repoPath, flags), flags);
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
  process.stdout.write(`${result.image}\n`);
  return 0;
}

/** Options with the build command's own setting flags (dagship.yaml < DAGSHIP_* < flags). */
export function loadBuildOptions(repoPath: string | undefined, flags: BuildFlags): Options {
  return loadOptions({
    root: repoPath,
    configFile: flags.config,
    flags: { ...flags.overrides, 'build.dockerfile': flags.dockerfile, plugins_folder: flags.pluginsFolder, requirements: flags.requirements },
  });
}

/** --short-sha and --tag, which dagship.yaml's build section also sets. */
export function withBuildFlags(options: Options, flags: Pick<BuildFlags, 'shortSha' | 'tag'>): Options {
  for (const tag of flags.tag ?? []) {
    if (!isTag(tag)) {
      throw new DagshipError(`invalid tag '${tag}'`, 'a tag is letters, digits, _ . and -, at most 128 characters, not starting with . or -', 'usage');
    }
  }
  return {
    ...options,
    build: { ...options.build, short_sha: options.build.short_sha || Boolean(flags.shortSha), extra_tags: [...new Set([...options.build.extra_tags, ...(flags.tag ?? [])])] },
  };
}
