import { Command, CommanderError } from 'commander';
import { isDagshipError, reasonOf } from '../src/errors.js';
import { withReleaseFlags } from './release-flags.js';
import { VERSION } from './version.js';
import { configFlags, withConfigFlags, withReportFlags } from './flags.js';
import { painter, useColor } from './terminal.js';
import { data } from '../src/report/github.js';
import { onSecret, redact } from '../src/secrets.js';
import { exitCodeOf, installStopHandlers, runCleanups, StoppedError, stoppedBy } from '../src/stop.js';
import { setRunCommand } from '../src/runs.js';


const EXAMPLES = `
Examples:
  $ dagship ship examples/ --no-push    lint, build, check inside the built image (no push)
  $ dagship doctor examples/            is this machine ready to run the pipeline on examples/?
  $ dagship lint . --sarif lint.sarif   ruff + bandit, SARIF for code scanning
  $ dagship check . --junit dags.xml    import every DAG as the scheduler will
  $ dagship audit --values values.yaml --values prod.yaml   Helm values against the production checklist
  $ dagship audit --release airflow -n airflow   the same checklist over what the release really runs, image drift included
  $ dagship build .                     bake the DAGs into <repository>:<commit sha>, reproducibly
  $ dagship push .                      push it; prints the pinned <repository>@sha256:… reference
  $ dagship deploy --image reg/team/dags@sha256:… --release airflow -n airflow   every component, all or nothing
  $ dagship rollback --release airflow -n airflow   back to the images before the last deploy
  $ dagship keygen -o team            team.key signs results in CI (DAGSHIP_SIGNING_KEY), team.pub verifies them at deploy
  $ dagship doctor --config ci/dagship.yaml .

Exit codes: 0 passed, 1 a gate failed, 2 usage, configuration or infrastructure error, 130/143 stopped by SIGINT/SIGTERM.
Settings come from dagship.yaml, then DAGSHIP_* environment variables, then flags.`;

/** The command table: each entry parses its flags and calls one function that returns an exit code. */
export function buildProgram(): Command {
  const program = new Command('dagship')
    .description('CI/CD for Apache Airflow DAGs on Kubernetes: lint, check, build, push and deploy')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run dagship --help for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    // The containers a command starts are labelled with its name (dagship doctor lists leftovers by it).
    .hook('preAction', (_program, command) => setRunCommand(command.name()));

  withConfigFlags(
    program.command('doctor [path]').description('check the Docker Engine, registry, git state and images the pipeline needs, and find the containers killed runs left behind'),
  )
    .option('--clean', 'remove the containers of dagship runs that were killed (their process is gone)')
    .action(async (repoPath: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/doctor.js')).doctor(repoPath, { ...configFlags(opts), clean: opts.clean });
    });

  withReportFlags(
    withConfigFlags(program.command('lint [path]').description('run ruff (with Airflow AIR rules) and bandit in the tools image')),
  ).action(async (repoPath: string | undefined, opts) => {
    process.exitCode = await (await import('./commands/lint.js')).lint(repoPath, { ...configFlags(opts), changedSince: opts.changedSince });
  });

  withReportFlags(
    withConfigFlags(program.command('check [path]').description("import every DAG file with Airflow's DagBag in the Airflow image: errors, cycles, duplicates, timeouts, policies")),
  )
    .option('--image <ref>', 'Airflow image to check in (default: base_image)')
    .option('--timeout <seconds>', 'per-file import timeout (default 30, like dagbag_import_timeout)')
    .option('--workers <n>', 'parallel imports (default: all cores)')
    .option('--variables <file>', 'Airflow Variables (JSON of airflow variables export) served at parse time')
    .option('--connections <file>', 'Airflow Connections (JSON of airflow connections export) served at parse time')
    .option('--local-settings <file>', "the team's airflow_local_settings.py: its cluster policies become findings")
    .option('--no-cache', 'import every file again, ignoring results cached from earlier runs')
    .option('--attest', 'check the DAGs baked into --image (a pushed repo@sha256:…) and record the result beside it for deploy (signed with DAGSHIP_SIGNING_KEY)')
    .option('--pr-comment', 'in a pull request job, write (or update in place) one comment with each DAG file\'s status and import time (needs GITHUB_TOKEN)')
    .action(async (repoPath: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/check.js')).check(repoPath, { ...configFlags(opts), image: opts.image, changedSince: opts.changedSince, cache: opts.cache, attest: opts.attest, prComment: opts.prComment });
    });

  withConfigFlags(program.command('build [path]').description('bake the DAGs and plugins into the base image, tagged by commit; reproducible: same commit and base, same image ID'))
    .option('--dockerfile <file>', "build the team's own Dockerfile instead (not reproducible)")
    .option('--plugins-folder <dir>', 'plugins folder, relative to the repository')
    .option('--requirements <file>', 'requirements file, relative to the repository')
    .option('--short-sha', 'tag with the 12-character commit instead of the full SHA')
    .option('-t, --tag <tag>', 'an extra tag (repeatable), e.g. staging', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--allow-dirty', 'build uncommitted changes: tagged <sha>-dirty, and push refuses it as a release')
    .option('--include-base-layers', 'put the base layers in the image archive (automatic on the containerd image store)')
    .action(async (repoPath: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/build.js')).build(repoPath, { ...configFlags(opts), ...opts });
    });

  withConfigFlags(program.command('push [path]').description('push the commit image; refuses to change an existing tag; prints <repository>@sha256:…'))
    .option('--image <ref>', 'push this local image instead of <repository>:<commit>')
    .option('--short-sha', 'the image is tagged with the 12-character commit')
    .option('-t, --tag <tag>', 'an extra tag to push too (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('-u, --username <name>', 'registry user (with --password-stdin)')
    .option('--password-stdin', 'read the registry password from stdin')
    .option('--allow-dirty', 'push an image built from uncommitted changes (not a release)')
    .option('--push-timeout <duration>', 'how long the whole push may take, registry requests and upload: 90s, 10m (default 30m)')
    .action(async (repoPath: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/push.js')).push(repoPath, { ...configFlags(opts), ...opts });
    });

  withReleaseFlags(program.command('deploy').description('point every Airflow workload of a Helm release (and the KubernetesExecutor worker image) at a pinned image; watch the rollouts; roll everything back on failure'))
    .option('--image <ref>', 'the image to deploy: registry/repository@sha256:…, or a tag, resolved to its digest once through the registry')
    .option('--public-key <file>', "the team's Ed25519 public key (PEM file or text; default DAGSHIP_PUBLIC_KEY): the image's dagship result must be signed by it")
    .option('--skip-verify', 'deploy without checking the dagship result (loud, and recorded as dagship.io/verification)')
    .option('--strategy <patch|helm>', 'patch: patch the workloads directly; helm: helm upgrade --reuse-values with images.airflow.* (for releases Helm owns)', 'patch')
    .option('--chart <chart>', 'with --strategy helm: the chart of the release (repo/name, path or oci:// reference)')
    .option('--chart-version <version>', 'with --strategy helm: the chart version (helm upgrade --version)')
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/deploy.js')).deploy(opts);
    });

  withReleaseFlags(program.command('rollback').description('return every object of a release to its state before the last dagship deploy (recorded in the cluster), through the release gate'))
    .option('--public-key <file>', "the team's Ed25519 public key (PEM file or text; default DAGSHIP_PUBLIC_KEY): the image rolled back to must carry a result signed by it")
    .option('--skip-verify', 'roll back without checking the dagship result of the image returned to (loud)')
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/rollback.js')).rollback(opts);
    });

  withReportFlags(
    withConfigFlags(program.command('audit [path]').description('audit Helm values of the official Airflow chart (or a live release) against a production checklist: database, DAGs, logs, secrets, RBAC, exposure, metrics, executor, images, resources')),
  )
    .option('--values <file>', 'a values file; repeat for more (later files win, like helm -f)', (file: string, all: string[]) => [...all, file], [] as string[])
    .option('--image-repository <ref>', 'the repository dagship pushes to (default: repository): images.airflow there means DAGs are baked')
    .option('--strict', 'an Airflow image without a digest is an error, not a warning')
    .option('--min-parallelism <n>', 'warn when [core] parallelism is below this floor')
    .option('--expected-heartbeat <seconds>', 'warn when [scheduler] scheduler_heartbeat_sec differs from this')
    .option('--release <name>', 'audit this running Helm release instead of values files (read-only)')
    .option('-n, --namespace <ns>', 'namespace of the release')
    .option('--context <name>', 'kubeconfig context (default: current)')
    .action(async (repoPath: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/audit.js')).audit({ ...configFlags(opts), path: repoPath, values: opts.values, imageRepository: opts.imageRepository, strict: opts.strict, minParallelism: opts.minParallelism, expectedHeartbeat: opts.expectedHeartbeat, changedSince: opts.changedSince, release: opts.release, namespace: opts.namespace, context: opts.context });
    });

  withReportFlags(
    withConfigFlags(program.command('ship [path]').description('lint, build, check the DAGs inside the built image, push: stops at the first failed gate')),
  )
    .option('--no-push', 'stop after the check: build and test locally')
    .option('--short-sha', 'tag with the 12-character commit instead of the full SHA')
    .option('-t, --tag <tag>', 'an extra tag (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--allow-dirty', 'build uncommitted changes (tagged <sha>-dirty; push refuses it as a release)')
    .option('--include-base-layers', 'put the base layers in the image archive (automatic on the containerd image store)')
    .option('--push-timeout <duration>', 'how long the push may take, registry requests and upload: 90s, 10m (default 30m)')
    .action(async (repoPath: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/ship.js')).ship(repoPath, { ...configFlags(opts), ...opts, reports: configFlags(opts).reports });
    });

  withConfigFlags(program.command('baseline [path]').description('record the current lint and check findings as known; later runs with --baseline fail only on new ones'))
    .option('-o, --output <file>', 'baseline file to write (default: baseline key, else .dagship-baseline.json)')
    .option('--image <ref>', 'Airflow image to check in (default: base_image)')
    .action(async (repoPath: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/baseline.js')).baseline(repoPath, { ...configFlags(opts), output: opts.output, image: opts.image });
    });

  program.command('keygen').description('write an Ed25519 key pair: CI signs check results with the private key, deploy verifies them with the public one')
    .option('-o, --output <prefix>', 'writes <prefix>.key and <prefix>.pub', 'dagship')
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/keygen.js')).keygen(opts.output);
    });

  // What every action.yml runs: the action's inputs (INPUT_*) become runs of this same command table.
  program.command('action <name>', { hidden: true }).description('run a dagship GitHub Action from its inputs')
    .action(async (name: string) => {
      process.exitCode = await (await import('./commands/action.js')).action(name, (argv) => buildProgram().parseAsync(argv, { from: 'user' }));
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const paint = painter(useColor(process.stderr));
  // A second signal during the cleanups leaves containers behind: doctor --clean finds and removes them.
  installStopHandlers(undefined, 'dagship doctor --clean');
  // The runner then masks each form of a secret in everything the job logs, our output included.
  if (process.env.GITHUB_ACTIONS === 'true') onSecret((form) => process.stdout.write(`::add-mask::${data(form)}\n`));
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end here too; everything else commander rejects is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // After a signal, most failures are the cleanups pulling a container or folder away; a worded error
    // (deploy could not put everything back) is still said in full.
    const signal = err instanceof StoppedError ? err.signal : stoppedBy();
    if (signal) {
      await runCleanups();
      const why = err instanceof StoppedError ? err.message : isDagshipError(err) ? `stopped by ${signal}; ${redact(err.message)}\nhint: ${redact(err.hint)}` : `stopped by ${signal}`;
      process.stderr.write(`${paint('red', 'stopped:')} ${why}\n`);
      process.exitCode = exitCodeOf(signal);
      return;
    }
    if (isDagshipError(err)) {
      const [message, hint] = [redact(err.message), redact(err.hint)];
      process.stderr.write(`${paint('red', 'error:')} ${message}\n${paint('dim', `hint: ${hint}`)}\n`);
      if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(`::error title=dagship::${data(`${message}\nhint: ${hint}`)}\n`);
      process.exitCode = err.kind === 'gate' ? 1 : 2;
      return;
    }
    process.stderr.write(`${paint('red', 'error:')} unexpected failure: ${redact(reasonOf(err))}\n`);
    if (err instanceof Error && err.stack) process.stderr.write(`${paint('dim', redact(err.stack))}\n`);
    process.exitCode = 2;
  }
}

await main(process.argv);
// A request to a server that never answered may still hold a socket open until its own deadline: the
// outcome is decided, so it must not keep the process (and a CI job) waiting.
setTimeout(() => process.exit(), 1_000).unref();
