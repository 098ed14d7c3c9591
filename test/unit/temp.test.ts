import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCleanups } from '../../src/stop.js';
import { withTempDir } from '../../src/temp.js';

describe('withTempDir', () => {
  it('removes the folder when the work succeeds or fails', async () => {
    let kept = '';
    expect(await withTempDir('dagship-t-', async (dir) => ((kept = dir), existsSync(dir)))).toBe(true);
    expect(existsSync(kept)).toBe(false);
    await expect(
      withTempDir('dagship-t-', async (dir) => {
        kept = dir;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(kept)).toBe(false);
  });

  it('removes the folder when a signal runs the stop cleanups while the work is still going', async () => {
    let release!: () => void;
    let seen = '';
    const work = withTempDir('dagship-t-', (dir) => ((seen = dir), new Promise<void>((r) => (release = r))));
    await runCleanups();
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
    release();
    await work;
  });
});
