import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Runs a composite action.yml the way the GitHub runner does, read from the file itself: inputs with
 * their defaults, `${{ inputs.* }}` / `${{ github.action_path }}` / `${{ steps.*.outputs.* }}`
 * expressions, each `run` step written to a file and run as `bash --noprofile --norc -eo pipefail {0}`,
 * and the GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_ENV files. Nothing of the action's steps is
 * rewritten here. `started` gets each step's bash pid, to cancel it as the runner does (cancelLikeGitHub).
 */
export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

interface ActionFile {
  inputs?: Record<string, { default?: string }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; shell?: string; env?: Record<string, string>; run?: string }[] };
}

export async function runAction(actionDir: string, inputs: Record<string, string>, env: Record<string, string>, cwd: string, started?: (bashPid: number) => void): Promise<ActionRun> {
  const action = parse(readFileSync(path.join(actionDir, 'action.yml'), 'utf8')) as ActionFile;
  if (action.runs.using !== 'composite') throw new Error(`${actionDir}: not a composite action`);
  const unknown = Object.keys(inputs).filter((k) => !(k in (action.inputs ?? {})));
  if (unknown.length) throw new Error(`${actionDir}: no such inputs: ${unknown.join(', ')}`);
  const values: Record<string, string> = {};
  const work = mkdtempSync(path.join(tmpdir(), 'dagship-runner-'));
  const files = { GITHUB_OUTPUT: '', GITHUB_STEP_SUMMARY: '', GITHUB_ENV: '' } as Record<string, string>;
  for (const name of Object.keys(files)) writeFileSync((files[name] = path.join(work, name)), '');
  const stepOutputs: Record<string, Record<string, string>> = {};
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_m, expr: string) => {
      const [scope, a, b, c] = expr.split('.');
      if (scope === 'inputs') return values[a!] ?? '';
      if (scope === 'github' && a === 'action_path') return actionDir;
      if (scope === 'github' && a === 'token') return env.GITHUB_TOKEN ?? '';
      if (scope === 'steps' && b === 'outputs') return stepOutputs[a!]?.[c!] ?? '';
      throw new Error(`unsupported expression ${expr}`);
    });
  // Defaults may use the github context (e.g. `${{ github.token }}`), as the runner allows.
  for (const [k, v] of Object.entries(action.inputs ?? {})) values[k] = inputs[k] ?? expand(v.default ?? '');
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const step of action.runs.steps) {
    if (!step.run) throw new Error('only run steps are supported');
    if (step.shell !== 'bash') throw new Error(`every run step needs shell: bash (got ${step.shell})`);
    writeFileSync(files.GITHUB_OUTPUT!, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
    // A script file, as the runner writes it: bash -c would exec the last command itself, the runner's bash does not.
    const script = path.join(work, `step-${randomUUID()}.sh`);
    writeFileSync(script, expand(step.run));
    // Asynchronous, so that a test can serve an API the action calls from this same process.
    const child = execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      reject: false,
      env: { ...process.env, ...env, ...files, ...stepEnv, GITHUB_ACTIONS: 'true', GITHUB_ACTION_PATH: actionDir, NO_COLOR: '1' },
    });
    if (child.pid) started?.(child.pid);
    const result = await child;
    stdout += `${result.stdout}\n`;
    stderr += `${result.stderr}\n`;
    if (step.id) stepOutputs[step.id] = parseOutputs(readFileSync(files.GITHUB_OUTPUT!, 'utf8'));
    exitCode = result.exitCode ?? 1;
    if (exitCode !== 0) break;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, v]) => [k, expand(v.value)]));
  return { exitCode, stdout, stderr, outputs, summary: readFileSync(files.GITHUB_STEP_SUMMARY!, 'utf8') };
}

/** name=value lines and name<<DELIM heredocs, as the runner reads $GITHUB_OUTPUT. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every descendant of `pid` (children first found through /proc's ppid field, via ps). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of table) if (ppid === parent) walk(found[found.push(child) - 1]!);
  };
  walk(pid);
  return found;
}

/**
 * Cancels a step the way the GitHub runner does (ProcessInvoker): SIGINT to the step's process only; if it
 * still runs 7.5 s later, SIGTERM; if it still runs 2.5 s after that, SIGKILL to its whole process tree.
 * Then, as the runner does when the job ends, SIGKILL to whatever the step started that is still alive
 * (an orphan the step's bash left when it died). Returns what it had to send.
 */
export async function cancelLikeGitHub(stepPid: number): Promise<string[]> {
  const sent: string[] = [];
  const started = new Set(descendants(stepPid));
  const within = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
      for (const pid of alive(stepPid) ? descendants(stepPid) : []) started.add(pid);
      if (!alive(stepPid)) return true;
    }
    return !alive(stepPid);
  };
  const kill = (pids: Iterable<number>) => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.kill(stepPid, 'SIGINT');
  sent.push('SIGINT');
  if (!(await within(7_500))) {
    process.kill(stepPid, 'SIGTERM');
    sent.push('SIGTERM');
    if (!(await within(2_500))) {
      kill([stepPid, ...started]);
      sent.push('SIGKILL tree');
    }
  }
  const orphans = [...started].filter(alive);
  if (orphans.length) {
    kill(orphans);
    sent.push('SIGKILL orphans');
  }
  return sent;
}
