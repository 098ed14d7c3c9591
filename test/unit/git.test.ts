import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gitRepo, parsePorcelainZ, parseStatusZ, remoteUrl } from '../../src/git.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'pipe' });

describe('parsePorcelainZ', () => {
  it('lists modified, untracked and renamed paths (new name only)', () => {
    expect(parsePorcelainZ(' M dags/a.py\0?? dags/new file.py\0R  dags/b2.py\0dags/b.py\0')).toEqual(['dags/a.py', 'dags/new file.py', 'dags/b2.py']);
    expect(parsePorcelainZ('')).toEqual([]);
  });

  it('keeps ignored paths (!!) apart from uncommitted ones', () => {
    expect(parseStatusZ(' M dags/a.py\0!! dags/local.json\0?? b.py\0')).toEqual({ dirty: ['dags/a.py', 'b.py'], ignored: ['dags/local.json'] });
  });
});

describe('remoteUrl', () => {
  it('takes origin, else the first remote by name, rewritten by the longest insteadOf prefix', () => {
    const lines = ['remote.upstream.url https://up.example/x.git', 'remote.origin.url gh:team/dags.git', 'url.https://github.com/.insteadof gh:', 'url.https://elsewhere/.insteadof g'].join('\n');
    expect(remoteUrl(lines)).toBe('https://github.com/team/dags.git');
    expect(remoteUrl('remote.zeta.url https://z/x\nremote.alpha.url https://a/x')).toBe('https://a/x');
    expect(remoteUrl('')).toBeUndefined();
  });
});

describe('gitRepo (real git)', () => {
  it('reads revision, commit time and dirty paths of a work tree', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dagship-git-'));
    git(dir, 'init', '-q');
    writeFileSync(path.join(dir, 'a.py'), 'x = 1\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first', '--date', '2026-01-02T03:04:05Z');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();

    const state = await gitRepo(dir).state();
    expect(state).toMatchObject({ revision: head, dirtyPaths: [] });
    expect(state?.commitTime).toMatch(/^\d{4}-\d\d-\d\dT/);

    writeFileSync(path.join(dir, 'a.py'), 'x = 2\n');
    writeFileSync(path.join(dir, 'b.py'), 'y = 1\n');
    expect((await gitRepo(dir).state())?.dirtyPaths.sort()).toEqual(['a.py', 'b.py']);
  });

  it('reads ignored files and the remote with the state when asked, and skips the status walk when told', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dagship-git-'));
    git(dir, 'init', '-q');
    writeFileSync(path.join(dir, '.gitignore'), '*.log\n');
    writeFileSync(path.join(dir, 'a.py'), 'x = 1\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    git(dir, 'remote', 'add', 'origin', 'https://example.com/team/dags.git');
    writeFileSync(path.join(dir, 'run.log'), 'log\n');
    writeFileSync(path.join(dir, 'b.py'), 'y = 1\n');
    expect(await gitRepo(dir).state({ ignored: true, remote: true })).toMatchObject({ dirtyPaths: ['b.py'], ignoredPaths: ['run.log'], remoteUrl: 'https://example.com/team/dags.git' });
    const bare = await gitRepo(dir).state({ dirty: false });
    expect(bare?.dirtyPaths).toEqual([]);
    expect(bare).not.toHaveProperty('ignoredPaths');
  });

  it('returns undefined outside a repository and refuses a repository without commits', async () => {
    expect(await gitRepo(mkdtempSync(path.join(tmpdir(), 'dagship-nogit-'))).state()).toBeUndefined();
    const empty = mkdtempSync(path.join(tmpdir(), 'dagship-empty-'));
    git(empty, 'init', '-q');
    await expect(gitRepo(empty).state()).rejects.toThrow(/has no commits yet/);
  });
});
