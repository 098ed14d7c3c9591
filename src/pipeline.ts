import type { KeyObject } from 'node:crypto';
import { recordResult, rulesApplied, pinnedImage } from './attest/index.js';
import { auditConfiguredValues, joinRuns } from './audit/run.js';
import { checkDags } from './checks/dags.js';
import { plannedTests, runTests } from './testing/run.js';
import { runLint } from './checks/lint.js';
import { lintAirflowMajor } from './checks/lint-target.js';
import { lintToolsImage } from './checks/tools-image.js';
import { summaryLines } from './checks/summary.js';
import { REPOSITORY_SETTING, type Options, baselinePath } from './config.js';
import type { Credentials } from './credentials.js';
import type { ImageEngine } from './engine/index.js';
import { DagshipError, isDagshipError } from './errors.js';
import type { ToolRun } from './findings.js';
import type { GitRepo } from './git.js';
import { buildImage, releaseTag, targetRepository, type BuildResult } from './image/build.js';
import { ensureImage } from './image/pull.js';
import { parseImageReference } from './image-reference.js';
import { pushImage, type PushOutcome } from './image/push.js';
import type { Logger } from './logger.js';
import { judge, type Outcome } from './outcome.js';
import { registryApiHost, type ArtifactRegistry } from './registry/index.js';

/*
 * The release pipeline, in its gate order: lint → audit (when values are configured) → build → check
 * inside the built image → the repository's tests against it (when it has tests) → push → record the result beside the pushed image. A gate that fails stops it
 * before the next stage; nothing is pushed unless every gate passed. When it will push and the registry
 * already holds the commit tag, that image is pulled and checked instead of built and pushed. The CLI's
 * `ship` and every action run this one function; what they print is theirs.
 */

export type Gate = 'lint' | 'audit' | 'check' | 'test';

export interface ShipRequest {
  options: Options;
  dagshipVersion: string;
  allowDirty?: boolean;
  includeBaseLayers?: boolean;
  /** false: stop once the image passed check, nothing pushed. */
  push: boolean;
  pushTimeoutMs: number;
  /** The setting that gave pushTimeoutMs, for the message when it runs out, e.g. `--push-timeout 30m`. */
  pushDeadlineName: string;
  /** Signs the recorded result; without it the result is recorded unsigned. */
  signingKey?: KeyObject;
}

export interface ShipDeps {
  engine: ImageEngine;
  git: GitRepo;
  /** For the base image and the lint target: registry credentials, the push target's only for the push target. */
  credentialsFor: (registry: string) => Promise<Credentials | undefined>;
  /** For the push and the recorded result (asked once: they go to the same registry). */
  pushCredentialsFor: (registry: string) => Promise<Credentials | undefined>;
  registry: (host: string, credentials: Credentials | undefined, deadline?: { signal: AbortSignal; what: string }) => ArtifactRegistry;
  /** Called once the image passed every gate, before the push: adapters publish what was built (or reused). */
  onChecked?: (image: { image: string; id: string }) => void;
}

export interface ShipResult {
  /** The gate that failed; undefined when every gate passed. */
  stoppedAt?: Gate;
  outcome: Outcome;
  /** What the check saw (files, DAGs, timings), for under the findings. */
  summary: string[];
  built?: BuildResult;
  pushed?: PushOutcome;
  /** The commit's image was in the registry already: pulled and checked instead of built and pushed. */
  reused?: Released & { id: string };
}

export async function ship(request: ShipRequest, deps: ShipDeps, log: Logger): Promise<ShipResult> {
  const { options, dagshipVersion } = request;
  const { engine } = deps;
  const started = Date.now();
  const judged = (runs: ToolRun[]) => judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  // build names an image locally without a repository; a push needs one, said before anything runs.
  if (request.push) targetRepository(options);

  // Lint comes before build: the Airflow the DAGs will run is the base image's.
  const lintRuns = await log.group('1/5 lint: ruff and bandit', async () => {
    const airflowMajor = await lintAirflowMajor(options, engine, deps.credentialsFor, log);
    return runLint({ root: options.root, toolsImage: await lintToolsImage(options, engine, log), airflowMajor, format: options.lint.format }, engine, log);
  });
  const linted = judged(lintRuns);
  if (!linted.passed) return { stoppedAt: 'lint', outcome: linted, summary: [] };
  // audit.values configured: the platform the DAGs ship to is gated before anything is built.
  const auditRuns = options.audit.values.length ? [await log.group('audit: Helm values against the production checklist', async () => auditConfiguredValues(options, dagshipVersion).run)] : [];
  const audited = judged([...lintRuns, ...auditRuns]);
  if (!audited.passed) return { stoppedAt: 'audit', outcome: audited, summary: [] };

  const released = request.push ? await lookUpRelease(options, deps, log) : undefined;
  if (released) return reuse(request, deps, released, { lintRuns, auditRuns, judged, started }, log);

  const built = await log.group('2/5 build: bake the DAGs into the base image', () =>
    buildImage({ options, allowDirty: request.allowDirty, includeBaseLayers: request.includeBaseLayers }, { engine, git: deps.git, credentialsFor: deps.credentialsFor }, log),
  );
  const checked = await log.group(`3/5 check: import every DAG inside ${built.image}`, () => checkDags({ options, image: built.image, baked: true, dagshipVersion }, engine, log));
  const checkedOutcome = judged([...lintRuns, joinRuns(checked.run, auditRuns)]);
  const checkSummary = summaryLines(checked.result, built.image, Date.now() - started);
  if (!checkedOutcome.passed) return { stoppedAt: 'check', outcome: checkedOutcome, summary: checkSummary, built };
  const tested = await testGate(request, built.image, engine, log);
  const outcome = judged([...lintRuns, joinRuns(checked.run, auditRuns), ...tested.runs]);
  const summary = [...checkSummary, ...tested.summary];
  if (!outcome.passed) return { stoppedAt: 'test', outcome, summary, built };
  deps.onChecked?.(built);
  if (!request.push) return { outcome, summary, built };

  const pushed = await log.group('5/5 push', () =>
    pushImage(
      { options, image: built.image, allowDirty: request.allowDirty, timeoutMs: request.pushTimeoutMs, deadlineName: request.pushDeadlineName },
      { engine, git: deps.git, credentialsFor: deps.pushCredentialsFor, registry: deps.registry },
      log,
    ),
  );
  await record(request, deps, { reference: pushed.reference, outcome, labels: built.labels, what: 'is pushed' }, log);
  return { outcome, summary, built, pushed };
}

/**
 * The team's tests and DAG runs against what ships (the DAGs baked into `image`), when the repository
 * has tests or test.dags lists DAG runs; nothing to run is said and passes.
 */
async function testGate(request: ShipRequest, image: string, engine: ImageEngine, log: Logger): Promise<{ runs: ToolRun[]; summary: string[] }> {
  const { options } = request;
  if (!plannedTests(options)) {
    log.info(`test: no ${options.test.paths.join(', ')} in the repository and no test.dags: no tests to run`);
    return { runs: [], summary: [] };
  }
  const tested = await log.group(`4/5 test: the repository's tests against ${image}`, () => runTests({ options, image, baked: true, dagshipVersion: request.dagshipVersion }, engine, log));
  return tested ? { runs: tested.runs, summary: tested.summary } : { runs: [], summary: [] };
}

/** The commit's image as the registry already holds it. */
interface Released {
  /** `repository:tag`, the commit tag. */
  image: string;
  /** `repository@sha256:…` */
  reference: string;
}

/**
 * The commit tag in the registry, looked up before anything is built: a tag never moves, and a rebuild
 * elsewhere (a Dockerfile, a requirements layer) need not give the same bytes. A tree with uncommitted
 * changes in what the image bakes never reuses: its build is tagged -dirty.
 */
async function lookUpRelease(options: Options, deps: ShipDeps, log: Logger): Promise<Released | undefined> {
  const repository = targetRepository(options);
  const { tag, dirty } = await releaseTag(options, deps.git);
  if (dirty) return undefined;
  const { registry, repository: path } = parseImageReference(repository, REPOSITORY_SETTING);
  const client = deps.registry(registryApiHost(registry), await deps.pushCredentialsFor(registry));
  const held = await client.manifest(path, tag);
  if (!held) {
    log.info(`${repository}:${tag} is not in the registry yet: building it`);
    return undefined;
  }
  log.info(`${repository}:${tag} is in the registry already (${held.digest}): checking that image instead of building another`);
  return { image: `${repository}:${tag}`, reference: `${repository}@${held.digest}` };
}

interface Gated {
  lintRuns: ToolRun[];
  auditRuns: ToolRun[];
  judged: (runs: ToolRun[]) => Outcome;
  started: number;
}

/** The released image, pulled and checked like a fresh build; nothing is built or pushed, the tag is left alone. */
async function reuse(request: ShipRequest, deps: ShipDeps, released: Released, gated: Gated, log: Logger): Promise<ShipResult> {
  const { options, dagshipVersion } = request;
  const image = await log.group(`2/5 pull: ${released.reference} (not rebuilt)`, () =>
    ensureImage(deps.engine, released.reference, deps.pushCredentialsFor, log, { what: 'released image', setting: REPOSITORY_SETTING }),
  );
  // The commit tag on the engine names what the registry holds, as after a build and push.
  await deps.engine.tag(image.id, released.image);
  const checked = await log.group(`3/5 check: import every DAG inside ${released.reference}`, () => checkDags({ options, image: released.reference, baked: true, dagshipVersion }, deps.engine, log));
  const checkedOutcome = gated.judged([...gated.lintRuns, joinRuns(checked.run, gated.auditRuns)]);
  const checkSummary = summaryLines(checked.result, released.reference, Date.now() - gated.started);
  const reused = { ...released, id: image.id };
  if (!checkedOutcome.passed) return { stoppedAt: 'check', outcome: checkedOutcome, summary: checkSummary, reused };
  const tested = await testGate(request, released.reference, deps.engine, log);
  const outcome = gated.judged([...gated.lintRuns, joinRuns(checked.run, gated.auditRuns), ...tested.runs]);
  const summary = [...checkSummary, ...tested.summary];
  if (!outcome.passed) return { stoppedAt: 'test', outcome, summary, reused };
  deps.onChecked?.(reused);
  if (request.push) await log.group('5/5 record the result', () => record(request, deps, { reference: released.reference, outcome, labels: image.labels, what: 'is in the registry' }, log));
  return { outcome, summary, reused };
}

/** Records the passing result beside the image in the registry, where deploy looks for it. */
async function record(request: ShipRequest, deps: ShipDeps, what: { reference: string; outcome: Outcome; labels: Record<string, string>; what: string }, log: Logger): Promise<void> {
  const pinned = pinnedImage(what.reference);
  try {
    const registry = deps.registry(registryApiHost(pinned.host), await deps.pushCredentialsFor(pinned.host));
    await recordResult(
      registry,
      { image: pinned, outcome: what.outcome, rulesRun: rulesApplied(request.options.check, true), labels: what.labels, dagshipVersion: request.dagshipVersion, signingKey: request.signingKey },
      log,
    );
  } catch (err) {
    // The image is in the registry but without its result, so deploy refuses it: say how to finish.
    if (!isDagshipError(err)) throw err;
    throw new DagshipError(
      `${what.reference} ${what.what}, but its check result could not be recorded: ${err.message}`,
      `run dagship ship again once the registry answers (the push is then a no-op) — until then deploy refuses this image; ${err.hint}`,
      err.kind,
      { cause: err },
    );
  }
}
