import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** Runs the built CLI the way users do, without a TTY; never throws on a non-zero exit. */
export async function dagship(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
  const result = await execa('node', [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: '1', ...options.env },
    reject: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A committed git repository with the given files. */
export function gitRepoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagship-e2e-'));
  for (const [name, content] of Object.entries(files)) {
    execFileSync('mkdir', ['-p', path.dirname(path.join(dir, name))]);
    writeFileSync(path.join(dir, name), content);
  }
  commitAll(dir, 'fixture');
  return dir;
}

/** `git init` the folder (if it is not a repository yet) and commit every file in it. */
export function commitAll(dir: string, message: string): void {
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', message);
}
