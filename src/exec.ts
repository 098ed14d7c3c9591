import { spawn, type ChildProcess } from 'node:child_process';
import { DagshipError, reasonOf } from './errors.js';

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
 * (callers judge the exit code and word the error). Throws only when the program cannot start (or is
 * killed by a signal). node:child_process directly, not execa: loading execa cost every command ~30 ms.
 */
export function run(file: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      reject(new DagshipError(mask(`could not run ${file}: ${reason}`, options.secrets), `check that ${file} is installed and on PATH`, 'infra', { cause }));
    };
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
        // No input: stdin is /dev/null, so nothing can wait for a prompt answer.
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      fail(reasonOf(err), err);
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => fail(reasonOf(err), err));
    child.on('close', (code, signal) => {
      if (code === null) return fail(`killed by ${signal ?? 'a signal'}`);
      if (settled) return;
      settled = true;
      resolve({ exitCode: code, stdout: withoutFinalNewline(Buffer.concat(stdout)), stderr: withoutFinalNewline(Buffer.concat(stderr)) });
    });
    if (options.input !== undefined) {
      // A program that exits without reading its input must not fail the run with EPIPE.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
  });
}

function withoutFinalNewline(output: Buffer): string {
  return output.toString('utf8').replace(/\r?\n$/, '');
}

/** Replaces every secret in `text` with ***. */
export function mask(text: string, secrets: string[] = []): string {
  return secrets.filter((s) => s.length > 0).reduce((out, s) => out.split(s).join('***'), text);
}

/** The last `count` non-empty lines of a command's output: the useful end of an error. */
export function tail(text: string, count = 5): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-count).join('\n');
}
