import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setOutput } from '../../cli/github.js';
import { folderWith } from './helpers.js';

describe('setOutput', () => {
  it('appends name=value lines, and the heredoc form for multi-line values', () => {
    const file = path.join(folderWith({}), 'output');
    writeFileSync(file, '');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: file };
    setOutput('passed', false, env);
    setOutput('reference', 'r.example.com/a@sha256:abc', env);
    setOutput('summary', 'one\ntwo', env);
    const [first, second, heredoc, ...rest] = readFileSync(file, 'utf8').split('\n');
    expect([first, second]).toEqual(['passed=false', 'reference=r.example.com/a@sha256:abc']);
    const delimiter = heredoc!.split('<<')[1];
    expect(heredoc).toMatch(/^summary<<dagship_[0-9a-f-]{36}$/);
    expect(rest.slice(0, 3)).toEqual(['one', 'two', delimiter]);
  });

  it('writes nothing outside GitHub Actions', () => {
    const file = path.join(folderWith({}), 'output');
    writeFileSync(file, '');
    setOutput('passed', true, { GITHUB_OUTPUT: file });
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});
