import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendSummary, outputsSet, setOutput } from '../../cli/github.js';
import { folderWith } from './helpers.js';

const outputFile = () => {
  const file = path.join(folderWith({}), 'output');
  writeFileSync(file, '');
  return file;
};

describe('setOutput', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('appends outputs the way the runner reads $GITHUB_OUTPUT, multi-line values in the heredoc form', () => {
    const file = outputFile();
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    vi.stubEnv('GITHUB_OUTPUT', file);
    setOutput('passed', false);
    setOutput('reference', 'r.example.com/a@sha256:abc');
    setOutput('summary', 'one\ntwo');
    const lines = readFileSync(file, 'utf8').split('\n');
    const entries = lines.map((l) => /^([\w-]+)<<(.+)$/.exec(l)).filter((m) => m !== null);
    expect(entries.map((m) => m[1])).toEqual(['passed', 'reference', 'summary']);
    const [, , summary] = entries;
    const at = lines.indexOf(summary![0]);
    expect(lines.slice(at + 1, at + 4)).toEqual(['one', 'two', summary![2]]);
    expect(lines[lines.indexOf(entries[1]![0]) + 1]).toBe('r.example.com/a@sha256:abc');
    expect(outputsSet.get('reference')).toBe('r.example.com/a@sha256:abc');
  });

  it('writes nothing outside GitHub Actions, and prints no workflow command either', () => {
    const file = outputFile();
    vi.stubEnv('GITHUB_ACTIONS', '');
    vi.stubEnv('GITHUB_OUTPUT', file);
    const stdout = vi.spyOn(process.stdout, 'write');
    setOutput('passed', true);
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(stdout).not.toHaveBeenCalled();
    stdout.mockRestore();
  });
});

describe('appendSummary', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('appends to the job summary, making the file when the runner has not (a local run of an action)', async () => {
    const file = path.join(folderWith({}), 'summary.md');
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    vi.stubEnv('GITHUB_STEP_SUMMARY', file);
    await appendSummary('## one\n');
    await appendSummary('## two\n');
    expect(readFileSync(file, 'utf8')).toMatch(/^## one\n+## two\n+$/);
  });
});
