import { Command, CommanderError } from 'commander';
import { isDagshipError, reasonOf } from '../src/errors.js';
import { VERSION } from './version.js';
import { flagOption, parsedFlags, REPORT_FLAGS, RELEASE_FLAGS, type FlagId, type ParsedFlags } from './flags.js';
import { painter, useColor } from './terminal.js';
import { data } from '../src/report/github.js';
import { onSecret, redact } from '../src/secrets.js';
import { exitCodeOf, installStopHandlers, runCleanups, StoppedError, stoppedBy } from '../src/stop.js';
import { setRunCommand } from '../src/runs.js';

const EXAMPLES = `
Examples:
  $ dagship ship examples/ --no-push    lint, build, check and test inside the built image (no push)
  $ dagship doctor examples/            is this machine ready to run the pipeline on examples/?
  $ dagship lint . --sarif lint.sarif   ruff + bandit, SARIF for code scanning
  $ dagship check . --junit dags.xml    import every DAG as the scheduler will
  $ dagship test . --dag etl            the pytest suite in tests/, then one run of DAG etl, in the Airflow image
  $ dagship audit --values values.yaml --values prod.yaml   Helm values against the production checklist
  $ dagship audit --release airflow -n airflow   the same checklist over what the release really runs, image drift included
  $ dagship build .                     bake the DAGs into <repository>:<commit sha>, reproducibly
  $ dagship push .                      push it; prints the pinned <repository>@sha256:… reference
  $ dagship deploy --image reg/team/dags@sha256:… --release airflow -n airflow   every component, all or nothing
  $ dagship rollback --release airflow -n airflow   back to the images before the last deploy
  $ dagship keygen -o team            team.key signs results in CI (DAGSHIP_SIGNING_KEY), team.pub verifies them at deploy
  $ dagship doctor --config ci/dagship.yaml .

Exit codes: 0 passed, 1 a gate failed, 2 usage, configuration or infrastructure error, 130/143 stopped by SIGINT/SIGTERM.
Settings come from dagship.yaml, then DAGSHIP_* environment variables, then flags.
Times (--timeout, check.timeout, …) are durations: 90s, 5m, 1h, or a bare number of seconds.`;

/** One command: what it takes, and the one function it runs (loaded on use: start-up is per command). */
export interface CommandSpec {
  /** Name and arguments, as commander takes them. */
  name: string;
  description: string;
  flags: readonly FlagId[];
  /** Flags it cannot run without. */
  required?: readonly FlagId[];
  run: (path: string | undefined, flags: ParsedFlags) => Promise<number>;
  /** Left out of the help: run by the actions, not by people. */
  hidden?: boolean;
}

/** The command table. */
export const COMMANDS: CommandSpec[] = [
  {
    name: 'doctor [path]',
    description: 'check the Docker Engine, registry, git state and images the pipeline needs, and find the containers killed runs left behind',
    flags: ['config', 'baseImage', 'imageMirror', 'toolsImage', 'repository', 'clean'],
    run: async (path, flags) => (await import('./commands/doctor.js')).doctor(path, flags),
  },
  {
    name: 'lint [path]',
    description: 'run ruff (with Airflow AIR rules, and ruff format --check where configured) and bandit in the tools image',
    // The base image says which Airflow the code targets (ruff's AIR3xx rules).
    flags: ['config', 'dagsFolder', 'baseImage', 'imageMirror', 'toolsImage', 'formatCheck', 'verbose', ...REPORT_FLAGS, 'changedSince'],
    run: async (path, flags) => (await import('./commands/lint.js')).lint(path, flags),
  },
  {
    name: 'check [path]',
    description: "import every DAG file with Airflow's DagBag in the Airflow image: errors, cycles, duplicates, timeouts, policies",
    flags: [
      'config',
      'dagsFolder',
      'baseImage',
      'imageMirror',
      'allowEmptyDags',
      'verbose',
      ...REPORT_FLAGS,
      'changedSince',
      'checkImage',
      'checkTimeout',
      'workers',
      'variables',
      'connections',
      'localSettings',
      'noCache',
      'attest',
      'prComment',
    ],
    run: async (path, flags) => (await import('./commands/check.js')).check(path, flags),
  },
  {
    name: 'test [path]',
    description: "run the repository's pytest suite and DAG runs (dag.test()) in the Airflow image, read-only, without network",
    flags: [
      'config',
      'dagsFolder',
      'baseImage',
      'imageMirror',
      'verbose',
      ...REPORT_FLAGS,
      'testImage',
      'tests',
      'testRequirements',
      'dag',
      'logicalDate',
      'testTimeout',
      'network',
      'variables',
      'connections',
      'noCache',
    ],
    run: async (path, flags) => (await import('./commands/test.js')).test(path, flags),
  },
  {
    name: 'build [path]',
    description: 'bake the DAGs and plugins into the base image, tagged by commit; reproducible: same commit and base, same image ID',
    flags: [
      'config',
      'dagsFolder',
      'baseImage',
      'imageMirror',
      'repository',
      'allowEmptyDags',
      'verbose',
      'dockerfile',
      'pluginsFolder',
      'requirements',
      'shortSha',
      'tag',
      'allowDirty',
      'includeBaseLayers',
    ],
    run: async (path, flags) => (await import('./commands/build.js')).build(path, flags),
  },
  {
    name: 'push [path]',
    description: 'push the commit image; refuses to change an existing tag; prints <repository>@sha256:…',
    flags: ['config', 'repository', 'verbose', 'pushImage', 'shortSha', 'tag', 'username', 'passwordStdin', 'allowDirty', 'pushTimeout'],
    run: async (path, flags) => (await import('./commands/push.js')).push(path, flags),
  },
  {
    name: 'deploy',
    description: 'point every Airflow workload of a Helm release (and the KubernetesExecutor worker image) at a pinned image; ' + 'watch the rollouts; roll everything back on failure',
    flags: [...RELEASE_FLAGS, 'deployImage', 'strategy', 'chart', 'chartVersion'],
    required: ['release', 'namespace'],
    run: async (_path, flags) => (await import('./commands/deploy.js')).deploy(flags),
  },
  {
    name: 'rollback',
    description: 'return every object of a release to its state before the last dagship deploy (recorded in the cluster), through the release gate',
    flags: RELEASE_FLAGS,
    required: ['release', 'namespace'],
    run: async (_path, flags) => (await import('./commands/rollback.js')).rollback(flags),
  },
  {
    name: 'audit [path]',
    description:
      'audit Helm values of the official Airflow chart (or a live release) against a production checklist: ' + 'database, DAGs, logs, secrets, RBAC, exposure, metrics, executor, images, resources',
    flags: ['config', 'repository', ...REPORT_FLAGS, 'values', 'imageRepository', 'strict', 'minParallelism', 'expectedHeartbeat', 'auditRelease', 'namespace', 'context'],
    run: async (path, flags) => (await import('./commands/audit.js')).audit({ ...flags, path }),
  },
  {
    name: 'ship [path]',
    description: "lint, build, check the DAGs and run the repository's tests inside the built image, push: stops at the first failed gate",
    flags: [
      'config',
      'dagsFolder',
      'baseImage',
      'imageMirror',
      'toolsImage',
      'formatCheck',
      'repository',
      'allowEmptyDags',
      'verbose',
      ...REPORT_FLAGS,
      'push',
      'shortSha',
      'tag',
      'allowDirty',
      'includeBaseLayers',
      'pushTimeout',
    ],
    run: async (path, flags) => (await import('./commands/ship.js')).ship(path, flags),
  },
  {
    name: 'baseline [path]',
    description: 'record the current lint and check findings as known; later runs with --baseline fail only on new ones',
    flags: ['config', 'dagsFolder', 'baseImage', 'imageMirror', 'toolsImage', 'formatCheck', 'allowEmptyDags', 'verbose', 'baselineOutput', 'checkImage'],
    run: async (path, flags) => (await import('./commands/baseline.js')).baseline(path, flags),
  },
  {
    name: 'init [path]',
    description: 'write a commented dagship.yaml with what was inferred, the pull-request, main and release workflows, and the deploy Role',
    flags: ['config', 'force'],
    run: async (path, flags) => (await import('./commands/init.js')).init(path, flags),
  },
  {
    // What every action.yml runs: the action's inputs (INPUT_*) become runs of this same command table.
    name: 'action <name>',
    description: 'run a dagship GitHub Action from its inputs',
    hidden: true,
    flags: [],
    run: async (name, _flags) => (await import('./commands/action.js')).action(name!, runCommands),
  },
  {
    name: 'keygen',
    description: 'write an ECDSA P-256 key pair (the kind cosign makes): CI signs check results with the private key, deploy verifies them with the public one',
    flags: ['keyPrefix'],
    run: async (_path, flags) => (await import('./commands/keygen.js')).keygen(flags.output),
  },
];

/** The program: each command parses its own flags and hands its exit code to `exit`. */
export function buildProgram(exit: (code: number) => void = () => {}, commands = COMMANDS): Command {
  const program = new Command('dagship')
    .description('CI/CD for Apache Airflow DAGs on Kubernetes: lint, check, build, push and deploy')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run dagship --help for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    // The containers a command starts are labelled with its name (dagship doctor lists leftovers by it).
    .hook('preAction', (_program, command) => setRunCommand(command.name()));
  for (const spec of commands) {
    const command = program.command(spec.name, { hidden: spec.hidden }).description(spec.description);
    command.showHelpAfterError(`(run dagship ${command.name()} --help for usage)`);
    for (const id of spec.flags) command.addOption(flagOption(id, spec.required?.includes(id)));
    command.action(async () => exit(await spec.run(command.processedArgs[0] as string | undefined, parsedFlags(command.opts(), spec.flags))));
  }
  return program;
}

/** Runs user arguments (`lint . --sarif x`) through the table in this process; a thrown error is the caller's. */
async function runCommands(argv: string[]): Promise<number> {
  let code = 0;
  await buildProgram((c) => (code = c)).parseAsync(argv, { from: 'user' });
  return code;
}

/** Parses `argv`, runs the command, and says what went wrong if it failed: returns the exit code. */
export async function runCli(argv: string[], commands = COMMANDS): Promise<number> {
  let code = 0;
  try {
    await buildProgram((c) => (code = c), commands).parseAsync(argv);
    return code;
  } catch (err) {
    return failure(err, argv, commands);
  }
}

/** The process: signals, secrets masked in Actions, then the command. */
export async function main(argv: string[]): Promise<void> {
  // A second signal during the cleanups leaves containers behind: doctor --clean finds and removes them.
  installStopHandlers(undefined, 'dagship doctor --clean');
  // The runner then masks each form of a secret in everything the job logs, our output included.
  if (inActions()) onSecret((form) => process.stdout.write(`::add-mask::${data(form)}\n`));
  process.exitCode = await runCli(argv);
}

const inActions = () => process.env.GITHUB_ACTIONS === 'true';

async function failure(err: unknown, argv: string[], commands: CommandSpec[]): Promise<number> {
  if (err instanceof CommanderError) return usageFailure(err, argv, commands);
  const paint = painter(useColor(process.stderr));
  // After a signal, most failures are the cleanups pulling a container or folder away; a worded error
  // (deploy could not put everything back) is still said in full.
  const signal = err instanceof StoppedError ? err.signal : stoppedBy();
  if (signal) {
    await runCleanups();
    const worded = isDagshipError(err) ? `stopped by ${signal}; ${redact(err.message)}\nhint: ${redact(err.hint)}` : `stopped by ${signal}`;
    process.stderr.write(`${paint('red', 'stopped:')} ${err instanceof StoppedError ? err.message : worded}\n`);
    return exitCodeOf(signal);
  }
  if (isDagshipError(err)) {
    const [message, hint] = [redact(err.message), redact(err.hint)];
    process.stderr.write(`${paint('red', 'error:')} ${message}\n${paint('dim', `hint: ${hint}`)}\n`);
    annotate(message, hint);
    return err.kind === 'gate' ? 1 : 2;
  }
  process.stderr.write(`${paint('red', 'error:')} unexpected failure: ${redact(reasonOf(err))}\n`);
  if (err instanceof Error && err.stack) process.stderr.write(`${paint('dim', redact(err.stack))}\n`);
  return 2;
}

/** Help and --version end here too; everything else commander rejects (it has said what) is a usage error. */
function usageFailure(err: CommanderError, argv: string[], commands: CommandSpec[]): number {
  if (err.exitCode === 0) return 0;
  const verb = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const known = commands.some((c) => c.name.split(' ')[0] === verb);
  // commander.help: no command given, so it printed the help.
  const message = err.code === 'commander.help' ? 'no command given' : err.message.replace(/^error: /, '');
  annotate(message, `run dagship ${known ? `${verb} ` : ''}--help for usage`);
  return 2;
}

/** In Actions, the failure also becomes an annotation on the run. */
function annotate(message: string, hint: string): void {
  if (inActions()) process.stdout.write(`::error title=dagship::${data(`${message}\nhint: ${hint}`)}\n`);
}
