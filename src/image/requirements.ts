import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readAirflowVersion } from '../airflow-version.js';
import type { ImageEngine } from '../engine/index.js';
import { DagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import { redact } from '../secrets.js';
import type { ImageDetails } from '../engine/images.js';
import { REQUIREMENTS_STEP } from './image-config.js';
import { FILE_VARIABLES, pipAccess, registerRequirementSecrets } from './pip-credentials.js';
import { PipProgress } from './pip-output.js';

/** Bump when the install step changes, so old cached requirement images are not reused. */
const RECIPE = 'dagship-requirements-v2';
/** Requirement images are cached on the engine under this name; `.local` keeps them off Docker Hub. */
export const REQUIREMENTS_REPOSITORY = 'dagship.local/requirements';
/** The setting that bounds pip, named in messages. */
const TIMEOUT_SETTING = 'build.requirements_timeout (dagship.yaml, or DAGSHIP_BUILD_REQUIREMENTS_TIMEOUT)';

/** The requirement lines that install something (comments and blank lines do not). */
export function requirementLines(file: string): string[] {
  if (!existsSync(file)) return [];
  if (!statSync(file).isFile()) {
    throw new DagshipError(`requirements ${file} is a folder, not a file`, "set 'requirements' in dagship.yaml (or --requirements) to the requirements file, or remove the folder", 'config');
  }
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/**
 * The install, run as the image's own user (the official image installs as `airflow`, into its home).
 * Airflow is pinned to the image's own version on the command line, as the official image's docs
 * require, so no requirement can up- or downgrade it. requirements.txt, a netrc and a pip.conf arrive
 * as variables of this command alone and become files in /dev/shm, the container's memory-backed
 * mount, which no commit records; only they are private (umask 077), not what pip installs.
 */
export const INSTALL_SCRIPT = `set -u
mask=$(umask); umask 077
d=$(mktemp -d /dev/shm/dagship-pip.XXXXXX) || { echo "dagship: the image has no writable /dev/shm to hold the install's settings" >&2; exit 97; }
trap 'rm -rf "$d"' EXIT
printf '%s' "$DAGSHIP_REQUIREMENTS" > "$d/requirements.txt"
if [ -n "\${${FILE_VARIABLES.netrc}:-}" ]; then printf '%s' "$${FILE_VARIABLES.netrc}" > "$d/netrc"; export NETRC="$d/netrc"; fi
if [ -n "\${${FILE_VARIABLES.pipConf}:-}" ]; then printf '%s' "$${FILE_VARIABLES.pipConf}" > "$d/pip.conf"; export PIP_CONFIG_FILE="$d/pip.conf"; fi
unset DAGSHIP_REQUIREMENTS ${FILE_VARIABLES.netrc} ${FILE_VARIABLES.pipConf}
umask "$mask"
pip install --no-cache-dir --no-input --disable-pip-version-check --progress-bar off "apache-airflow==$DAGSHIP_AIRFLOW_VERSION" -r "$d/requirements.txt"
`;

/** The cache key of a requirements image: the recipe, the exact base (and so its Airflow), the exact file. */
export function requirementsKey(baseId: string, content: Buffer): string {
  return createHash('sha256').update(RECIPE).update('\0').update(baseId).update('\0').update(content).digest('hex').slice(0, 20);
}

/** Where the requirements image of this base and file is cached on the engine. */
export function requirementsRef(baseId: string, content: Buffer): string {
  return `${REQUIREMENTS_REPOSITORY}:${requirementsKey(baseId, content)}`;
}

export interface RequirementsStep {
  engine: ImageEngine;
  baseId: string;
  /** undefined: nothing to pip-install, only `after` runs (InstallKind). */
  file?: string;
  timeoutMs: number;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/** One pip install over an Airflow image: what it is called in messages, where it is cached, what runs after. */
export interface InstallKind {
  /** Log prefix and the name in messages: `requirements`, `test requirements`. */
  label: string;
  /** The file as people know it, e.g. requirements.txt. */
  fileName: string;
  /** The setting that bounds pip, named when it runs out. */
  timeoutSetting: string;
  ref: string;
  /** The layer's history line (the Airflow pin is added). */
  createdBy: string;
  /** Shell run after pip in the same container, e.g. a database migration; its failure fails the step. */
  after?: string;
  /** The exit code `after` fails with, and what it does (named in the error instead of pip). */
  afterFailure?: { code: number; what: string };
}

/**
 * The base image with requirements.txt installed, in one layer below the DAGs. pip needs the network
 * and writes timestamps, so this is the one step that is not byte-reproducible across machines; the image
 * is kept on the engine under a key of base + file, so every later build of the same pair reuses it.
 */
export async function requirementsImage(step: RequirementsStep): Promise<{ ref: string; image: ImageDetails }> {
  const ref = requirementsRef(step.baseId, readFileSync(step.file!));
  return installedImage(step, { label: 'requirements', fileName: 'requirements.txt', timeoutSetting: TIMEOUT_SETTING, ref, createdBy: REQUIREMENTS_STEP });
}

/** `step.file` pip-installed over the base as its own user, with the base's Airflow pinned, committed as `kind.ref` (reused when there). */
export async function installedImage(step: RequirementsStep, kind: InstallKind): Promise<{ ref: string; image: ImageDetails }> {
  const { engine, baseId, file, log } = step;
  const { ref, label } = kind;
  const content = file ? readFileSync(file) : undefined;
  const cached = await engine.inspect(ref);
  if (cached) {
    log.info(`${label}: reused ${ref} (same base and ${kind.fileName})`);
    return { ref, image: cached };
  }
  const airflow = await airflowOf(engine, baseId, log, kind.fileName);
  registerRequirementSecrets(content?.toString('utf8') ?? '');
  const access = pipAccess(step.env);
  const from = access.sources.length ? `; index settings from ${access.sources.join(', ')}, given to pip only` : '';
  if (file) log.info(`${label}: pip install of ${requirementLines(file).length} requirement(s) with apache-airflow==${airflow} pinned, as the image's user (--network host${from})`);
  else log.info(`${label}: no ${kind.fileName}; preparing ${ref} (Airflow ${airflow})`);
  const script = !file ? (kind.after ?? '') : kind.after ? `${INSTALL_SCRIPT.trimEnd()} || exit $?\n${kind.after}` : INSTALL_SCRIPT;
  const progress = new PipProgress(log, airflow, kind.fileName);
  const started = Date.now();
  const heartbeat = setInterval(() => log.info(`${label}: pip still working after ${minutes(Date.now() - started)} (stopped at ${minutes(step.timeoutMs)}: ${kind.timeoutSetting})`), 120_000);
  const run = await engine
    .runAndCommit({
      image: baseId,
      script,
      env: { ...access.env, DAGSHIP_REQUIREMENTS: content?.toString('utf8') ?? '', DAGSHIP_AIRFLOW_VERSION: airflow },
      network: 'host',
      timeoutMs: step.timeoutMs,
      ref,
      createdBy: `${kind.createdBy} (apache-airflow==${airflow})`,
      onOutput: (chunk) => progress.push(chunk),
    })
    .finally(() => clearInterval(heartbeat));
  if (!run.id) throw installError(run, progress, airflow, step.timeoutMs, kind);
  const image = await engine.inspect(ref);
  if (!image) throw new DagshipError(`the engine committed ${ref} but does not list it`, 'run the build again (was an image removed meanwhile?)', 'infra');
  await refuseOtherAirflow(step, ref, airflow, kind.fileName);
  log.info(`${label}: built ${ref} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { ref, image };
}

async function airflowOf(engine: ImageEngine, baseId: string, log: Logger, fileName: string): Promise<string> {
  const read = await readAirflowVersion(baseId, engine, log);
  if (read) return read.version;
  throw new DagshipError(
    `cannot read the apache-airflow version installed in the base image ${baseId.slice(7, 19)}, so ${fileName} cannot be installed without risking another Airflow`,
    "is the base image an Airflow image? check 'base_image' (python -c 'import importlib.metadata as m; print(m.version(\"apache-airflow\"))' must work in it)",
    'config',
  );
}

/** Belt and braces: the pin makes this impossible, and an image with another Airflow must never ship. */
async function refuseOtherAirflow(step: RequirementsStep, ref: string, pinned: string, fileName: string): Promise<void> {
  const installed = (await readAirflowVersion(ref, step.engine, step.log))?.version;
  if (installed === pinned) return;
  await step.engine.untag(ref).catch(() => undefined);
  throw new DagshipError(
    `installing ${fileName} changed apache-airflow from ${pinned} to ${installed ?? 'nothing readable'}`,
    `remove what replaces Airflow from ${fileName}, or pin versions compatible with the base image`,
    'config',
  );
}

function installError(run: { exitCode: number; timedOut: boolean }, progress: PipProgress, airflow: string, timeoutMs: number, kind: InstallKind): DagshipError {
  const file = kind.fileName;
  const tail = redact(progress.tail());
  const backtracked = progress.backtracked.length ? `; it was backtracking over ${progress.backtracked.join(', ')}` : '';
  if (run.timedOut) {
    return new DagshipError(
      `pip install of ${file} did not finish in ${minutes(timeoutMs)} and was stopped${backtracked}\n${tail}`,
      `raise ${kind.timeoutSetting}, or make resolution quicker: pin versions in ${file}, or use Airflow's constraints file`,
      'config',
    );
  }
  const conflict = /ResolutionImpossible|conflicting dependencies|conflict is caused by/i.test(tail) && /apache-airflow/i.test(tail);
  // pip says nothing of a 401 or 403 at its default verbosity: the index just lists no versions.
  const none = /\(from versions: none\)|\b(401|403)\b|Unauthorized|Forbidden/i.test(tail);
  const hint = conflict
    ? `a requirement needs another Airflow than the base image's ${airflow}: pin versions that support apache-airflow ${airflow} (Airflow's constraints file lists them), or change the base image`
    : none
      ? 'the package index listed no version of it: check the name, that this machine reaches the index, and that the index accepts the credentials given (PIP_INDEX_URL/PIP_EXTRA_INDEX_URL with user:password@, a netrc in NETRC or ~/.netrc, or a pip.conf)'
      : `fix ${file} (pin versions that exist for the base image’s Python), or check that this machine reaches the package index`;
  const what = conflict
    ? `${file} conflicts with the image's apache-airflow==${airflow}`
    : run.exitCode === kind.afterFailure?.code
      ? `${kind.afterFailure.what} failed after installing ${file}`
      : `installing ${file} failed (pip exit ${run.exitCode})`;
  return new DagshipError(`${what}:\n${tail}`, hint, 'config');
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6_000) / 10}m` : `${Math.round(ms / 1000)}s`;
}
