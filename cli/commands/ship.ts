import { recordResult, rulesApplied } from '../../src/attest/index.js';
import { DagshipError, isDagshipError } from '../../src/errors.js';
import { auditConfiguredValues, joinRuns } from '../../src/audit/run.js';
import { buildImage } from '../../src/image/build.js';
import { pushImage } from '../../src/image/push.js';
import { checkDags } from '../../src/checks/dags.js';
import { runLint } from '../../src/checks/lint.js';
import { lintAirflowMajor } from '../../src/checks/lint-target.js';
import { credentialsOnce, resolveCredentials } from '../../src/credentials.js';
import { connectDocker } from '../../src/engine/index.js';
import type { ToolRun } from '../../src/findings.js';
import { gitRepo } from '../../src/git.js';
import { baselinePath, toolsImage } from '../../src/images.js';
import { judge } from '../../src/outcome.js';
import { parseImageReference } from '../../src/image-reference.js';
import { connectRegistry } from '../../src/registry/index.js';
import { artifactRegistry, pinnedImage, signingKey } from '../attest.js';
import type { ReportFlags } from '../flags.js';
import { parseDuration } from '../release-flags.js';
import { setOutput } from '../github.js';
import { present } from '../present.js';
import { painter, terminalLogger, useColor } from '../terminal.js';
import { VERSION } from '../version.js';
import { loadBuildOptions, withBuildFlags, type BuildFlags } from './build.js';
import { summaryLines } from './check.js';

export type ShipFlags = BuildFlags & ReportFlags & { push?: boolean; pushTimeout?: string };

/** lint → build → check inside the built image → push; stops at the first gate that fails. */
export async function ship(repoPath: string | undefined, flags: ShipFlags): Promise<number> {
  const options = withBuildFlags(loadBuildOptions(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  // A broken key must stop the run before anything is built, not after the push.
  const key = flags.push === false ? undefined : signingKey();
  const pushTimeoutMs = parseDuration(flags.pushTimeout ?? '30m', '--push-timeout');
  const engine = connectDocker();
  const git = gitRepo(options.root);
  const started = Date.now();
  const gate = (runs: ToolRun[], summary: string[] = []) => {
    const outcome = judge(runs, { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
    return { outcome, show: () => present(outcome, { title: 'dagship ship', reports: flags.reports, summary }) };
  };

  const target = options.repository ? parseImageReference(options.repository).registry : undefined;
  const credentialsFor = (r: string) => resolveCredentials(r, { cwd: options.root, target });
  // Lint comes before build: the Airflow the DAGs will run is the base image's.
  const lintRuns = await log.group('1/4 lint: ruff and bandit', async () =>
    runLint({ root: options.root, toolsImage: toolsImage(options), airflowMajor: await lintAirflowMajor(options, engine, credentialsFor, log) }, engine, log),
  );
  const linted = gate(lintRuns);
  if (!linted.outcome.passed) return stopped(linted.show(), 'lint');
  // audit.values configured: the platform the DAGs ship to is gated before anything is built.
  const auditRuns = options.audit.values.length ? [await log.group('audit: Helm values against the production checklist', async () => auditConfiguredValues(options, VERSION).run)] : [];
  const audited = gate([...lintRuns, ...auditRuns]);
  if (!audited.outcome.passed) return stopped(audited.show(), 'audit');

  const built = await log.group('2/4 build: bake the DAGs into the base image', () =>
    buildImage({ options, allowDirty: flags.allowDirty, includeBaseLayers: flags.includeBaseLayers }, { engine, git, credentialsFor }, log),
  );

  const checked = await log.group(`3/4 check: import every DAG inside ${built.image}`, () =>
    checkDags({ options, image: built.image, baked: true, dagshipVersion: VERSION }, engine, log),
  );
  const verdict = gate([...lintRuns, joinRuns(checked.run, auditRuns)], summaryLines(checked.result, built.image, Date.now() - started));
  const code = verdict.show();
  if (!verdict.outcome.passed) return stopped(code, 'check');

  const paint = painter(useColor());
  setOutput('image', built.image);
  setOutput('tag', built.image.slice(built.image.lastIndexOf(':') + 1));
  setOutput('image-id', built.id);
  if (flags.push === false) {
    process.stdout.write(`${paint('green', '✔ shipped locally')} ${built.image} (${built.id.slice(0, 19)}) — not pushed (--no-push)\n`);
    return 0;
  }
  // The push and the recorded result go to the same registry: its credentials are asked once.
  const pushCredentials = credentialsOnce({ cwd: options.root });
  const pushed = await log.group('4/4 push', () =>
    pushImage(
      { options, image: built.image, allowDirty: flags.allowDirty, timeoutMs: pushTimeoutMs, deadlineName: `--push-timeout ${flags.pushTimeout ?? '30m'}` },
      { engine, git, credentialsFor: pushCredentials, registry: (host, credentials, deadline) => connectRegistry(host, fetch, { credentials, deadline }) },
      log,
    ),
  );
  setOutput('reference', pushed.reference);
  setOutput('digest', pushed.reference.split('@')[1] ?? '');
  const pinned = pinnedImage(pushed.reference);
  try {
    await recordResult(await artifactRegistry(pinned.host, pushCredentials), { image: pinned, outcome: verdict.outcome, rulesRun: rulesApplied(options.check, true), labels: built.labels, dagshipVersion: VERSION, signingKey: key }, log);
  } catch (err) {
    // The image is in the registry but without its result, so deploy refuses it: say how to finish.
    if (!isDagshipError(err)) throw err;
    throw new DagshipError(`${pushed.reference} is pushed, but its check result could not be recorded: ${err.message}`, `run dagship ship again once the registry answers (the push is then a no-op) — until then deploy refuses this image; ${err.hint}`, err.kind, { cause: err });
  }
  process.stdout.write(`${paint('green', '✔ shipped')} ${pushed.reference}\n`);
  return 0;
}

function stopped(code: number, stage: string): number {
  process.stderr.write(`ship stopped at ${stage}: nothing was ${stage === 'check' ? '' : 'built or '}pushed\n`);
  return code;
}
