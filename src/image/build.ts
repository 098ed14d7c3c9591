import path from 'node:path';
import { dockerfileOf, type Options } from '../config.js';
import { placements, repoPath, within } from '../layout.js';
import type { Logger } from '../logger.js';
import { assemble, heldParent } from './assemble.js';
import type { BuildDeps, BuildPlan, BuildRequest, BuildResult } from './plan.js';
import { contextRules, folderPath, type Rules } from './context.js';
import { buildDockerfile } from './dockerfile.js';
import { optionsTag, dirtyError, readRelease, targetRepository, shortList } from './release.js';

export { targetRepository } from './release.js';
export type { BuildDeps, BuildMethod, BuildPlan, BuildRequest, BuildResult, BuiltLayer, HeldParent } from './plan.js';

/** Builds the DAG image of the repository's current commit. */
export async function buildImage(request: BuildRequest, deps: BuildDeps, log: Logger): Promise<BuildResult> {
  const { options } = request;
  const repository = options.repository ? targetRepository(options) : localRepository(options.root, log);
  const dockerfile = dockerfileOf(options) !== undefined;
  const rules = contextRules(options.root, { withTests: dockerfile });
  // The engine is asked while git is: only lookups, so a refused (dirty) build has changed nothing.
  const storage = deps.engine.storage();
  storage.catch(() => undefined); // awaited later; an unreachable engine fails the first inspect too
  const held = dockerfile ? undefined : heldParent(deps.engine, options);
  held?.catch(() => undefined); // a refused build never awaits it; assemble does the lookup again if it failed
  const asked = Date.now();
  const release = await readRelease(options.root, deps.git, bakedBy(options, rules, dockerfile));
  log.debug(`git: commit, status and remotes in ${Date.now() - asked} ms`);
  if (release.dirtyPaths.length > 0 && !request.allowDirty) throw dirtyError(release);
  const dirty = release.dirtyPaths.length > 0;
  if (release.ignoredPaths.length > 0) {
    log.warn(
      `baking file(s) that git ignores, so no commit holds them: ${shortList(release.ignoredPaths)}; the same commit elsewhere may build a different image (list them in .dockerignore to leave them out)`,
    );
  }
  if (dirty) log.warn(`building ${release.dirtyPaths.length} uncommitted change(s): the image is tagged -dirty and push refuses it as a release`);
  const tag = optionsTag(release.revision, options, dirty);
  // A dirty build never moves a team tag such as `staging`.
  const tags = [tag, ...(dirty ? [] : options.build.extra_tags)].map((t) => `${repository}:${t}`);
  const plan: BuildPlan = { options, repository, release, dirty, tags, rules, includeBaseLayers: Boolean(request.includeBaseLayers), storage, held };
  const overridden = Object.keys(options.contentOverrides ?? {});
  const how = [...(dirty ? ['uncommitted changes'] : []), ...(overridden.length ? [`overridden: ${overridden.join(', ')}, so not the commit's default tag`] : [])];
  log.info(`building ${tags[0]} (commit ${release.revision.slice(0, 12)}${how.map((h) => `, ${h}`).join('')})`);
  return dockerfile ? buildDockerfile(plan, deps, log) : assemble(plan, deps, log);
}

/**
 * Without a configured repository the image is named after the folder, for this engine only: push and
 * a shipped release still need 'repository'.
 */
function localRepository(root: string, log: Logger): string {
  const name = `dagship-local/${
    path
      .basename(root)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'dags'
  }`;
  log.info(`no repository configured: naming the image ${name}, on this engine only (set 'repository' to push it)`);
  return name;
}

/**
 * The commit tag the options' build gets, and whether what the image bakes has uncommitted changes: what
 * ship looks up in the registry before building.
 */
export async function releaseTag(options: Options, git: BuildDeps['git']): Promise<{ tag: string; dirty: boolean }> {
  const dockerfile = dockerfileOf(options) !== undefined;
  const release = await readRelease(options.root, git, bakedBy(options, contextRules(options.root, { withTests: dockerfile }), dockerfile));
  const dirty = release.dirtyPaths.length > 0;
  return { tag: optionsTag(release.revision, options, dirty), dirty };
}

/** Whether a repository path goes into the image (image_layout's folders too): a dirty one makes the build dirty. */
function bakedBy(options: Options, rules: Rules, dockerfile: boolean): (relative: string) => boolean {
  const requirements = folderPath(options.requirements);
  // The plugins folder even when it is gone: deleting it is a change of the image.
  const folders = [...placements(options).map((p) => p.source), repoPath(options.plugins_folder)];
  return (p) => {
    if (rules.excludes(p)) return false;
    if (dockerfile || p === '.dockerignore' || p === requirements) return true;
    return folders.some((folder) => within(p, folder));
  };
}
