import { describe, expect, it } from 'vitest';
import { DagshipError } from '../../src/errors.js';
import { run } from '../../src/exec.js';
import { mask, tail } from '../../src/text.js';

describe('exec', () => {
  it('masks every occurrence of every secret', () => {
    expect(mask('login -p s3cret to s3cret-host with tok', ['s3cret', 'tok', ''])).toBe('login -p *** to ***-host with ***');
  });

  it('keeps the last non-empty lines', () => {
    expect(tail('a\n\nb\nc\n\nd\n', 2)).toBe('c\nd');
  });

  it('returns a failed exit code instead of throwing, and throws a DagshipError for a missing program', async () => {
    const failed = await run('sh', ['-c', 'echo out; echo err >&2; exit 3'], { cwd: '/' });
    expect(failed).toEqual({ exitCode: 3, stdout: 'out', stderr: 'err' });
    await expect(run('dagship-no-such-program', [], { cwd: '/' })).rejects.toBeInstanceOf(DagshipError);
  });
});
