import * as core from '@actions/core';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { envName } from '../../src/config.js';
import { DagshipError } from '../../src/errors.js';
import { onStop, stoppedBy } from '../../src/stop.js';
import { ACTIONS, type ActionName, type ActionSpec } from '../action-inputs.js';
import { maskSecret, outputsSet, setOutput } from '../github.js';

/** Runs argv (`lint . --sarif x`) through the CLI's own command table, in this process: its exit code. */
export type RunCli = (argv: string[]) => Promise<number>;

const STAGES = ['lint', 'check', 'test', 'build', 'push', 'deploy'] as const;
type Stage = (typeof STAGES)[number];

/**
 * What every action.yml runs: reads the action's inputs (INPUT_*), runs the commands they ask for through
 * the command table, and leaves the outputs the commands set. Input mistakes are annotations and exit 2
 * before any work.
 */
export async function action(name: string, cli: RunCli): Promise<number> {
  const spec = ACTIONS[name as ActionName];
  if (!spec) throw new DagshipError(`unknown action '${name}'`, `use one of ${Object.keys(ACTIONS).join(', ')}`, 'usage');
  const inputs = readInputs(spec);
  maskSecrets(inputs);
  try {
    // Every input is read once here, so that a mistake stops the step before any work.
    for (const command of spec.commands) flagArgs(spec, inputs, command);
    exportEnvironment(spec, inputs);
    const kubeconfig = useKubeconfig(inputs.kubeconfig ?? '');
    try {
      if (name === 'root') return await staged(inputs, cli);
      if (name === 'deploy') return await deployStage(cli, inputs, flagArgs(spec, inputs, 'deploy'));
      const [command] = spec.commands as [string];
      return await run(cli, [command, ...positional(spec, inputs), ...flagArgs(spec, inputs, command)]);
    } finally {
      kubeconfig?.();
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    core.error(err.message);
    return 2;
  }
}

/** A mistake in the action's inputs, found before any work: one annotation that says the fix. */
class InputError extends DagshipError {
  constructor(message: string) {
    super(message, 'fix the inputs of the step', 'usage');
  }
}

function readInputs(spec: ActionSpec): Record<string, string> {
  return Object.fromEntries(Object.keys(spec.inputs).map((input) => [input, core.getInput(input)]));
}

/** The runner masks these in everything the job logs, before any command can print them. */
function maskSecrets(inputs: Record<string, string>): void {
  maskSecret(inputs['registry-password'] ?? '');
  // Line by line: a PEM key is logged, if ever, a line at a time; its armour lines are no secret.
  for (const line of (inputs['signing-key'] ?? '').split('\n')) if (line.trim() && !line.startsWith('-----')) maskSecret(line.trim());
}

/** Settings and credentials go to the commands as the DAGSHIP_* variables they already read. */
function exportEnvironment(spec: ActionSpec, inputs: Record<string, string>): void {
  for (const [input, use] of Object.entries(spec.inputs)) {
    const value = inputs[input];
    if (!value) continue;
    if ('setting' in use) process.env[envName(use.setting)] = value;
    if ('env' in use) process.env[use.env] = value;
  }
}

const positional = (spec: ActionSpec, inputs: Record<string, string>) => ('path' in spec.inputs ? [inputs.path || '.'] : []);

/** The flags the inputs give `command`; the runner's debug logging turns on --verbose. */
function flagArgs(spec: ActionSpec, inputs: Record<string, string>, command: string): string[] {
  const args: string[] = [];
  for (const [input, use] of Object.entries(spec.inputs)) {
    if (!('flag' in use) || !(use.to ?? spec.commands).includes(command)) continue;
    const value = inputs[input] ?? '';
    if (use.kind === 'boolean' && bool(input, value)) args.push(use.flag);
    else if (use.kind === 'negated' && !bool(input, value)) args.push(use.flag);
    else if (!use.kind && value) args.push(use.flag, value);
  }
  if (core.isDebug()) args.push('--verbose');
  return args;
}

function bool(input: string, value: string): boolean {
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new InputError(`input ${input} is '${value}': use true or false`);
}

const run = (cli: RunCli, argv: string[]): Promise<number> => cli(argv);

/** The kubeconfig input: a path, or the file's content (a secret), written where only this user reads it. */
function useKubeconfig(value: string): (() => void) | undefined {
  if (!value) return undefined;
  if (!value.includes('apiVersion')) {
    process.env.KUBECONFIG = value;
    return undefined;
  }
  const file = path.join(process.env.RUNNER_TEMP || tmpdir(), `dagship-kubeconfig-${randomUUID()}`);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  process.env.KUBECONFIG = file;
  const remove = () => rmSync(file, { force: true });
  const unregister = onStop(remove);
  return () => {
    unregister();
    remove();
  };
}

/** deploy, with deployed=false whenever it does not end deployed: failed, refused, or stopped by a signal. */
async function deployStage(cli: RunCli, inputs: Record<string, string>, flags: string[]): Promise<number> {
  requireTarget(inputs);
  const notDeployed = () => setOutput('deployed', false);
  const unregister = onStop(notDeployed);
  try {
    const code = await run(cli, ['deploy', ...flags]);
    if (code !== 0) notDeployed();
    return code;
  } catch (err) {
    notDeployed();
    throw err;
  } finally {
    unregister();
  }
}

/** The root action: the stages asked for, in the one order that keeps what ships the same as what was checked. */
async function staged(inputs: Record<string, string>, cli: RunCli): Promise<number> {
  const spec = ACTIONS.root;
  const stages = parseStages(inputs.stages ?? '');
  const has = (stage: Stage) => stages.has(stage);
  const common = [...positional(spec, inputs), ...(inputs.config ? ['--config', inputs.config] : [])];
  const sarif = inputs.sarif || 'dagship.sarif';
  if (has('build')) {
    // The checks of a release run inside the image that ships.
    if (has('deploy') && !has('push')) throw new InputError('deploy needs push: deploy takes the image from the registry, with its recorded result');
    if (has('deploy')) requireTarget(inputs);
    const code = await run(cli, ['ship', ...common, '--sarif', sarif, ...(has('push') ? [] : ['--no-push']), ...flagArgs(spec, inputs, 'ship')]);
    if (code !== 0 || !has('deploy')) return code;
    return deployStage(cli, inputs, ['--image', outputsSet.get('reference')!, ...flagArgs(spec, inputs, 'deploy')]);
  }
  if (has('push')) throw new InputError('push needs build: the pushed image is the one the checks ran in');
  if (has('deploy')) {
    if (has('lint') || has('check') || has('test')) throw new InputError('deploy without build promotes an already checked image: use stages: deploy with the image input');
    if (!inputs.image) throw new InputError('stage deploy without build needs the image input (the pinned reference to promote)');
    return deployStage(cli, inputs, ['--image', inputs.image, ...flagArgs(spec, inputs, 'deploy')]);
  }
  const runs: string[][] = [];
  if (has('lint')) runs.push(['lint', ...common, '--sarif', prefixed('lint', sarif), ...flagArgs(spec, inputs, 'lint')]);
  if (has('check')) runs.push(['check', ...common, '--sarif', sarif, ...flagArgs(spec, inputs, 'check')]);
  if (has('test')) runs.push(['test', ...common, '--sarif', prefixed('test', sarif), ...flagArgs(spec, inputs, 'test')]);
  if (inputs.values) runs.push(['audit', ...common, '--sarif', prefixed('audit', sarif), ...flagArgs(spec, inputs, 'audit')]);
  return independently(cli, runs);
}

function parseStages(text: string): Set<Stage> {
  const stages = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = stages.find((s) => !(STAGES as readonly string[]).includes(s));
  if (unknown !== undefined) throw new InputError(`unknown stage '${unknown}': use ${STAGES.join(', ')}`);
  if (!stages.length) throw new InputError(`no stages: use some of ${STAGES.join(', ')}`);
  return new Set(stages as Stage[]);
}

function requireTarget(inputs: Record<string, string>): void {
  if (!inputs.release || !inputs.namespace) throw new InputError('stage deploy needs the inputs release and namespace');
}

/** lint's report beside check's: dagship.sarif → lint-dagship.sarif, in the same folder. */
const prefixed = (stage: string, file: string) => path.join(path.dirname(file), `${stage}-${path.basename(file)}`);

/**
 * lint, check, test and audit each report on their own: one failing does not hide the others' findings. The
 * step ends with the last failing code; an error (not a failed gate) is raised after the others ran.
 * A signal ends the run at once.
 */
async function independently(cli: RunCli, runs: string[][]): Promise<number> {
  let status = 0;
  let failure: unknown;
  for (const argv of runs) {
    try {
      const code = await run(cli, argv);
      if (code !== 0) status = code;
    } catch (err) {
      if (stoppedBy()) throw err;
      failure ??= err;
    }
  }
  if (failure) throw failure;
  return status;
}
