import { execa } from 'execa';
import { DagshipError, reasonOf } from './errors.js';
import { mask } from './text.js';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd: string;
  env?: Record<string, string>;
  input?: string;
  /** Values to mask if a command line or its output ends up in a message. */
  secrets?: string[];
}

/**
 * The one way dagship runs a subprocess: explicit cwd, no prompts, never throws on a non-zero exit
 * (callers judge the exit code and word the error). Throws only when the program cannot start.
 */
export async function run(file: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  try {
    const result = await execa(file, args, {
      cwd: options.cwd,
      env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
      input: options.input,
      reject: false,
      stripFinalNewline: true,
    });
    if (result.failed && result.exitCode === undefined) {
      throw new DagshipError(mask(`could not run ${file}: ${reasonOf(result)}`, options.secrets), `check that ${file} is installed and on PATH`, 'infra');
    }
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  } catch (err) {
    if (err instanceof DagshipError) throw err;
    throw new DagshipError(mask(`could not run ${file}: ${reasonOf(err)}`, options.secrets), `check that ${file} is installed`, 'infra', { cause: err });
  }
}
