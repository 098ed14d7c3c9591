import { describe, expect, it } from 'vitest';
import { configSchema, type Options } from '../../src/config.js';
import { lockedVersion, plannedToolsImage, toolsDockerfile, toolsLock, toolsRef } from '../../src/checks/tools-image.js';
import type { ImageInfo } from '../../src/engine/index.js';

const options = (over: Partial<Options> = {}): Options => ({ ...configSchema.parse({}), root: '/repo', ...over });
const held = (refs: Record<string, string>) => ({
  image: async (ref: string): Promise<ImageInfo | undefined> => (refs[ref] ? { id: refs[ref]!, tags: [ref], size: 1, labels: {} } : undefined),
});

describe("dagship's own lint tools", () => {
  it('pins ruff and bandit, every requirement with hashes, so pip --require-hashes accepts the lock', () => {
    const lock = toolsLock();
    expect(lockedVersion(lock, 'ruff')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lockedVersion(lock, 'bandit')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lockedVersion(lock, 'PyYAML')).toBe(lockedVersion(lock, 'pyyaml'));
    const pins = lock.split(/\n(?=[a-z])/i).filter((block) => /^[a-z]/i.test(block));
    expect(pins.length).toBeGreaterThan(2);
    for (const pin of pins) expect(pin).toMatch(/^[\w.-]+==[^\s]+ \\\n\s+--hash=sha256:[0-9a-f]{64}/);
  });

  it('keys the cached image by the recipe, the lock and the base image ID', () => {
    const lock = toolsLock();
    expect(toolsRef('sha256:a', lock)).toMatch(/^dagship\.local\/tools:[0-9a-f]{20}$/);
    expect(toolsRef('sha256:a', lock)).toBe(toolsRef('sha256:a', lock));
    expect(toolsRef('sha256:a', lock)).not.toBe(toolsRef('sha256:b', lock));
    expect(toolsRef('sha256:a', lock)).not.toBe(toolsRef('sha256:a', lock.replace(/ruff==[\d.]+/, 'ruff==0.0.1')));
  });

  it('installs from the lock with hashes, in a venv, from the index named, and ignores the image’s pip settings', () => {
    const dockerfile = toolsDockerfile('sha256:abc');
    expect(dockerfile).toMatch(/^FROM sha256:abc\n/);
    expect(dockerfile).toContain('--require-hashes -r /tmp/dagship-tools.lock');
    expect(dockerfile).toContain('--isolated');
    expect(dockerfile).toContain('--index-url "$DAGSHIP_INDEX_URL"');
  });

  it('plans the configured image, else the cached or to-be-built one on the base image, else a Python image the engine holds', async () => {
    const lock = toolsLock();
    expect(await plannedToolsImage(options({ tools_image: 'mine:1' }), held({}))).toEqual({ ref: 'mine:1', state: 'configured' });
    const base = options({ base_image: 'airflow:3' });
    expect(await plannedToolsImage(base, held({ 'airflow:3': 'sha256:a' }))).toEqual({ ref: toolsRef('sha256:a', lock), state: 'to build', base: 'airflow:3' });
    expect(await plannedToolsImage(base, held({ 'airflow:3': 'sha256:a', [toolsRef('sha256:a', lock)]: 'sha256:t' }))).toMatchObject({ state: 'cached' });
    expect(await plannedToolsImage(options(), held({ 'python:3.12-slim': 'sha256:p' }))).toEqual({ ref: toolsRef('sha256:p', lock), state: 'to build', base: 'python:3.12-slim' });
    expect(await plannedToolsImage(options(), held({}))).toBeUndefined();
  });
});
