import type { Options } from './config.js';
import type { DockerEngine } from './engine/index.js';
import { isDagshipError, reasonOf } from './errors.js';
import { inferOptions } from './infer.js';
import type { GitRepo } from './git.js';
import { tagImmutability } from './registry/immutability.js';
import { describeLeftover, findRunContainers } from './leftovers.js';
import type { Registry } from './registry/index.js';
import { parseImageReference } from './image-reference.js';
import { indexUrl, lockedVersion, plannedToolsImage, toolsAdvice, toolsLock } from './checks/tools-image.js';

export type CheckStatus = 'ok' | 'warning' | 'problem';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export interface DoctorDeps {
  docker: DockerEngine;
  git: GitRepo;
  registry: (host: string) => Registry;
  /** Whether an image's registry has it (with the user's credentials): a base image missing on the engine is pulled when needed. */
  inRegistry?: (ref: string) => Promise<boolean>;
}

/**
 * Checks, in order, what the pipeline needs: engine, registry, repository state, images; then the
 * containers killed runs left behind (`clean` removes them).
 */
export async function runDoctor(configured: Options, deps: DoctorDeps, clean = false): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [
    {
      name: 'Configuration',
      status: 'ok',
      detail: configured.configFile ?? `no dagship.yaml in ${configured.root}; using defaults`,
    },
  ];
  const { options, inferences } = inferenceChecks(configured);
  checks.push(...inferences);
  const engine = await attempt('Docker Engine', async () => {
    const info = await deps.docker.info();
    return ok('Docker Engine', `${info.version} (API ${info.apiVersion}, ${info.storageDriver}, ${info.os}/${info.arch}) at ${info.host}`);
  });
  checks.push(engine);
  checks.push(await registryCheck(options, deps));
  if (options.repository) checks.push(immutabilityCheck(options.repository));
  checks.push(await gitCheck(options, deps));
  checks.push(await imageCheck('Airflow image', options.base_image, 'base_image', 'apache/airflow:3.3.2', engine, deps));
  checks.push(options.tools_image ? await imageCheck('Tools image', options.tools_image, 'tools_image', '', engine, deps) : await ownToolsCheck(options, engine, deps));
  if (engine.status === 'ok') checks.push(await leftoverCheck(deps, clean));
  return checks;
}

/** What the repository said about itself, one row each; an ambiguity is a problem, not a crash. */
function inferenceChecks(options: Options): { options: Options; inferences: DoctorCheck[] } {
  try {
    const inferred = inferOptions(options);
    return { options: inferred, inferences: (inferred.inferred ?? []).map((n) => ok(`Inferred ${n.key}`, `${n.what} (${n.from})`)) };
  } catch (err) {
    if (!isDagshipError(err)) throw err;
    return { options, inferences: [{ name: 'Inferred settings', status: 'problem', detail: err.message, hint: err.hint }] };
  }
}

/** Containers of dagship runs that were killed (SIGKILL, a vanished runner) before they could remove them. */
async function leftoverCheck(deps: DoctorDeps, clean: boolean): Promise<DoctorCheck> {
  const name = 'Leftover containers';
  return attempt(name, async () => {
    const { leftovers, live } = await findRunContainers(deps.docker);
    const going = live.length ? ` (${live.length} of dagship runs still going, left alone)` : '';
    if (leftovers.length === 0) return ok(name, `none${going}`);
    const list = leftovers.slice(0, 5).map(describeLeftover).join('; ') + (leftovers.length > 5 ? '; …' : '');
    if (clean) {
      for (const l of leftovers) await deps.docker.remove(l.container.id);
      return ok(name, `removed ${leftovers.length} container(s) of killed dagship runs: ${list}${going}`);
    }
    return {
      name,
      status: 'warning',
      detail: `${leftovers.length} container(s) of killed dagship runs: ${list}${going}`,
      hint: `dagship doctor --clean removes them (or: docker rm -f ${leftovers.map((l) => l.container.id.slice(0, 12)).join(' ')})`,
    };
  });
}

async function registryCheck(options: Options, deps: DoctorDeps): Promise<DoctorCheck> {
  const name = 'Registry';
  if (!options.repository) {
    return { name, status: 'warning', detail: 'no repository configured', hint: "set 'repository' (e.g. registry.example.com/team/airflow) to build and push images" };
  }
  return attempt(name, async () => {
    const host = registryHost(parseImageReference(options.repository!).registry);
    const status = await deps.registry(host).ping();
    return ok(name, `${host} reachable at ${status.url}${status.authRequired ? ' (asks for credentials)' : ''}`);
  });
}

/** Whether the registry can refuse a moved tag itself: read from the host name only, said as such. */
function immutabilityCheck(repository: string): DoctorCheck {
  const registry = parseImageReference(repository).registry;
  const what = tagImmutability(registry);
  const name = 'Tag immutability';
  if (what.canEnforce === false)
    return { name, status: 'warning', detail: `${registry} is ${what.kind}: ${what.advice}`, hint: 'a registry that enforces immutable tags (ECR, Artifact Registry, ACR, Harbor) closes that window' };
  return ok(name, `${registry} is ${what.kind}${what.canEnforce ? ', which can refuse tag overwrites' : ''}: ${what.advice}`);
}

/** Docker Hub's API lives on another host than its name. */
export function registryHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

async function gitCheck(options: Options, deps: DoctorDeps): Promise<DoctorCheck> {
  const name = 'Git repository';
  return attempt(name, async () => {
    const state = await deps.git.state();
    if (!state) {
      return { name, status: 'warning', detail: `${options.root} is not in a git repository`, hint: 'images are tagged by commit: git init and commit the DAG repository' };
    }
    const revision = `${state.revision.slice(0, 12)} in ${state.root}`;
    if (state.dirtyPaths.length === 0) return ok(name, `${revision}, clean`);
    const first = state.dirtyPaths.slice(0, 3).join(', ');
    return {
      name,
      status: 'warning',
      detail: `${revision}, ${state.dirtyPaths.length} uncommitted change(s): ${first}${state.dirtyPaths.length > 3 ? ', …' : ''}`,
      hint: 'commit or stash before building a release image',
    };
  });
}

async function imageCheck(name: string, ref: string | undefined, key: string, example: string, engine: DoctorCheck, deps: DoctorDeps): Promise<DoctorCheck> {
  if (!ref) return { name, status: 'problem', detail: 'not configured', hint: `set '${key}' in dagship.yaml (${example})` };
  if (engine.status !== 'ok') return { name, status: 'problem', detail: `${ref}: cannot look, the Docker Engine is unreachable`, hint: engine.hint };
  return attempt(name, async () => {
    const image = await deps.docker.image(ref);
    if (!image)
      return key === 'base_image' && deps.inRegistry
        ? pullable(name, ref, deps.inRegistry)
        : { name, status: 'problem', detail: `${ref} is not on the Docker Engine`, hint: `docker pull ${ref} (or build it), then run again` };
    return ok(name, `${ref} (${image.id.replace('sha256:', '').slice(0, 12)}, ${Math.round(image.size / 1e6)} MB)`);
  });
}

/** Without tools_image, lint installs this release's ruff and bandit once per engine: say which image and whether it is there. */
async function ownToolsCheck(options: Options, engine: DoctorCheck, deps: DoctorDeps): Promise<DoctorCheck> {
  const name = 'Tools image';
  if (engine.status !== 'ok') return { name, status: 'problem', detail: 'cannot look, the Docker Engine is unreachable', hint: engine.hint };
  return attempt(name, async () => {
    const lock = toolsLock();
    const tools = `ruff ${lockedVersion(lock, 'ruff')} and bandit ${lockedVersion(lock, 'bandit')}`;
    const planned = await plannedToolsImage(options, deps.docker);
    if (planned?.state === 'cached') return ok(name, `${planned.ref} (${tools} on ${planned.base}, built earlier on this engine)`);
    if (planned) return ok(name, `${planned.ref} will be built by the first lint: ${tools} on ${planned.base}, from ${indexUrl()} (once per engine)`);
    if (options.base_image) return ok(name, `${tools} will be installed on ${options.base_image} once lint has pulled it, from ${indexUrl()}`);
    return { name, status: 'problem', detail: `no Python image on the Docker Engine to install ${tools} on`, hint: `set 'base_image' in dagship.yaml, ${toolsAdvice(lock)}` };
  });
}

/** A base image the engine lacks is no problem when its registry has it: the commands pull it. Doctor only asks. */
async function pullable(name: string, ref: string, inRegistry: (ref: string) => Promise<boolean>): Promise<DoctorCheck> {
  const { registry } = parseImageReference(ref);
  const missing = `${ref} is not on the Docker Engine`;
  const hint = `check 'base_image' (dagship.yaml or --base-image) and the credentials for ${registry} (docker login ${registry}), or load the image (docker load)`;
  try {
    if (!(await inRegistry(ref))) return { name, status: 'problem', detail: `${missing}, and ${registry} does not have it`, hint };
  } catch (err) {
    return { name, status: 'problem', detail: `${missing}, and ${registry} could not be asked: ${isDagshipError(err) ? err.message : reasonOf(err)}`, hint };
  }
  return { name, status: 'warning', detail: `${missing}; ${registry} has it: check, lint, build and ship pull it when they need it`, hint: `docker pull ${ref} pulls it ahead` };
}

const ok = (name: string, detail: string): DoctorCheck => ({ name, status: 'ok', detail });

async function attempt(name: string, work: () => Promise<DoctorCheck>): Promise<DoctorCheck> {
  try {
    return await work();
  } catch (err) {
    if (isDagshipError(err)) return { name, status: 'problem', detail: err.message, hint: err.hint };
    return { name, status: 'problem', detail: reasonOf(err) };
  }
}
