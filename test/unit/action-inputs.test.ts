import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTIONS, type ActionName, type InputUse } from '../../cli/action-inputs.js';
import { OVERRIDABLE } from '../../src/config.js';
import { FLAGS } from '../../cli/flags.js';
import { buildProgram } from '../../cli/main.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface ActionFile {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: { env?: Record<string, string>; run: string }[] };
}

/** Every action.yml of the repository, by the name `dagship action` knows it as. */
const files: [ActionName, string][] = [
  ['root', 'action.yml'],
  ...readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => [d.name as ActionName, `actions/${d.name}/action.yml`] as [ActionName, string]),
];
const read = (file: string) => parse(readFileSync(path.join(ROOT, file), 'utf8')) as ActionFile;

/** The long flags of each command, as the command table declares them. */
const flags = new Map(buildProgram().commands.map((c) => [c.name(), new Set(c.options.map((o) => o.long!))]));

/** The flags that set a dagship.yaml key (an input may set the key through its DAGSHIP_* variable instead). */
const settingFlags = (key: string) => Object.values(FLAGS).flatMap((f) => ('key' in f && f.key === key ? [/--[\w-]+/.exec(f.flags)![0]] : []));

/** The variables a command reads that are no setting: named in the source that reads them. */
const source = [
  ...readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => `src/${f}`),
  ...readdirSync(path.join(ROOT, 'cli'), { recursive: true, encoding: 'utf8' }).map((f) => `cli/${f}`),
]
  .filter((f) => f.endsWith('.ts') && f !== 'cli/action-inputs.ts')
  .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
  .join('\n');

/** The output names the CLI sets: setOutput('name', …) in cli/, and the report kinds present() sets. */
const outputsTheCliSets = new Set([...source.matchAll(/setOutput\('([\w-]+)'/g)].map((m) => m[1]!).concat(['sarif', 'junit', 'json']));

describe.each(files)('%s (%s)', (name, file) => {
  const action = read(file);
  const spec = ACTIONS[name];

  it('is a table of dagship action', () => expect(spec, `add ${name} to ACTIONS in cli/action-inputs.ts`).toBeDefined());

  it('runs one command, dagship action, with each input as INPUT_<NAME> and nothing else', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps).toHaveLength(1);
    const [step] = action.runs.steps as [ActionFile['runs']['steps'][number]];
    expect(step.run.trim()).toMatch(new RegExp(`^exec node "\\$GITHUB_ACTION_PATH/(\\.\\./\\.\\./)?dist/cli\\.js" action ${name}$`));
    const expected = Object.fromEntries(Object.keys(action.inputs).map((input) => [`INPUT_${input.toUpperCase()}`, `\${{ inputs.${input} }}`]));
    expect(step.env).toEqual(expected);
  });

  it('has exactly the inputs of its table', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(spec.inputs).sort());
  });

  it('maps each input to a flag of the command it goes to, a setting, or a variable dagship reads', () => {
    for (const [input, use] of Object.entries(spec.inputs) as [string, InputUse][]) {
      if ('flag' in use) {
        for (const command of use.to ?? spec.commands) expect(flags.get(command), `${input} → ${command} ${use.flag}`).toContain(use.flag);
      } else if ('setting' in use) {
        expect(OVERRIDABLE).toContain(use.setting);
      } else if ('env' in use) {
        expect(source, `${input} → ${use.env}: nothing reads it`).toContain(use.env);
      }
    }
  });

  it('offers every flag of its commands as an input, or says why not', () => {
    const covered = new Set(Object.values(spec.inputs).flatMap((use) => ('flag' in use ? [use.flag] : 'setting' in use ? settingFlags(use.setting) : 'own' in use ? (use.flags ?? []) : [])));
    const missing = spec.commands.flatMap((command) => [...flags.get(command)!].filter((flag) => !covered.has(flag) && !(flag in spec.notInputs)).map((flag) => `${command} ${flag}`));
    expect(missing, `add inputs to ${file} and cli/action-inputs.ts, or reasons to notInputs`).toEqual([]);
  });

  it('documents only outputs the CLI sets, and durations the one way', () => {
    for (const output of Object.keys(action.outputs ?? {})) expect(outputsTheCliSets, `output ${output}`).toContain(output);
    for (const [input, { description }] of Object.entries(action.inputs)) {
      if (/timeout/.test(input)) expect(description, input).toContain('90s, 5m, or bare seconds');
    }
  });
});
