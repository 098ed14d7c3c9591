import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// actionlint (scripts/lint) checks workflows, not action metadata: this is the check of our own
// action.yml files that it cannot do.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ACTIONS = ['action.yml', ...readdirSync(path.join(ROOT, 'actions')).map((d) => `actions/${d}/action.yml`)].filter((f) => existsSync(path.join(ROOT, f)));

/** What is wrong with one composite action's metadata; `dir` is the folder holding it. */
function problemsOf(text: string, dir: string): string[] {
  const action = parse(text) ?? {};
  const problems: string[] = [];
  for (const key of ['name', 'description']) if (typeof action[key] !== 'string' || !action[key]) problems.push(`no ${key}`);
  const inputs: Record<string, { description?: string }> = action.inputs ?? {};
  for (const [name, input] of Object.entries(inputs)) if (!input?.description) problems.push(`input ${name} has no description`);
  const steps: Array<Record<string, unknown>> = action.runs?.steps ?? [];
  if (action.runs?.using !== 'composite') problems.push(`runs.using is ${action.runs?.using}, not composite`);
  if (steps.length === 0) problems.push('runs.steps is empty');
  steps.forEach((step, i) => {
    if ('run' in step && !step.shell) problems.push(`step ${String(step.id ?? i)} runs a script without a shell`);
  });
  const runs = JSON.stringify(action.runs ?? {});
  for (const [, name] of runs.matchAll(/\binputs\.([\w-]+)/g)) if (!(name! in inputs)) problems.push(`runs reads inputs.${name}, which is not declared`);
  const ids = new Set(steps.map((s) => s.id));
  for (const [name, output] of Object.entries<{ value?: string; description?: string }>(action.outputs ?? {})) {
    if (!output?.description) problems.push(`output ${name} has no description`);
    for (const [, id] of String(output?.value ?? '').matchAll(/\bsteps\.([\w-]+)\./g)) if (!ids.has(id)) problems.push(`output ${name} reads step ${id}, which does not exist`);
  }
  // The committed bundle the steps run (docs: composite actions call the same bundle, never npm install).
  for (const [, file] of runs.matchAll(/GITHUB_ACTION_PATH\}?\/([^"'\s\\]+)/g)) if (!existsSync(path.join(dir, file!))) problems.push(`runs uses ${file}, which does not exist`);
  return problems;
}

describe('action metadata', () => {
  it.each(ACTIONS)('%s is complete and consistent', (file) => {
    expect(problemsOf(readFileSync(path.join(ROOT, file), 'utf8'), path.dirname(path.join(ROOT, file)))).toEqual([]);
  });

  it('finds every kind of problem it looks for', () => {
    const broken = `
name: broken
inputs:
  path: {}
outputs:
  passed: { value: '\${{ steps.nope.outputs.passed }}' }
runs:
  using: node20
  steps:
    - id: run
      run: node "$GITHUB_ACTION_PATH/../../dist/missing.js" \${{ inputs.typo }}
`;
    expect(problemsOf(broken, path.join(ROOT, 'actions', 'check'))).toEqual([
      'no description',
      'input path has no description',
      'runs.using is node20, not composite',
      'step run runs a script without a shell',
      'runs reads inputs.typo, which is not declared',
      'output passed has no description',
      'output passed reads step nope, which does not exist',
      'runs uses ../../dist/missing.js, which does not exist',
    ]);
  });
});
