import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { DockerEngine, RunContainer } from '../../src/engine/index.js';
import { findRunContainers } from '../../src/leftovers.js';
import { leftoverReason, processStart, RUN_LABELS, runLabels, STALE_AFTER_MS, type RunProbe } from '../../src/runs.js';

const labels = (host: string, pid: number, pidStart: string) => ({ [RUN_LABELS.command]: 'check', [RUN_LABELS.host]: host, [RUN_LABELS.pid]: String(pid), [RUN_LABELS.pidStart]: pidStart });
/** A machine where pid 100 runs since tick 500, and nothing else runs. */
const probe: RunProbe = { host: 'runner-1', started: (pid) => (pid === 100 ? '500' : undefined) };

describe('leftoverReason', () => {
  it('leaves the container of a live run on this host alone', () => {
    expect(leftoverReason(labels('runner-1', 100, '500'), 60_000, probe)).toBeUndefined();
  });

  it('a run whose process is gone left it behind', () => {
    expect(leftoverReason(labels('runner-1', 101, '500'), 60_000, probe)).toBe('its dagship process 101 is gone');
  });

  it('a pid reused by another process is not the run', () => {
    expect(leftoverReason(labels('runner-1', 100, '499'), 60_000, probe)).toBe('pid 100 is now another process');
  });

  it('on another host only age tells', () => {
    expect(leftoverReason(labels('runner-2', 101, '500'), 60_000, probe)).toBeUndefined();
    expect(leftoverReason(labels('runner-2', 101, '500'), STALE_AFTER_MS + 3600_000, probe)).toBe('started 7 h ago on runner-2');
  });

  it('this process is alive by its own labels', () => {
    const own = runLabels();
    expect(own[RUN_LABELS.host]).toBe(hostname());
    expect(own[RUN_LABELS.pidStart]).toBe(processStart(process.pid) ?? '');
    expect(leftoverReason(own, 1000)).toBeUndefined();
  });
});

describe('findRunContainers', () => {
  it('splits the engine’s dagship containers into leftovers and live runs', async () => {
    const container = (name: string, l: Record<string, string>): RunContainer => ({ id: `${name}-id`, name, image: 'apache/airflow:3', state: 'running', createdAt: new Date(0), labels: l });
    const docker = { runContainers: async () => [container('a', labels('runner-1', 100, '500')), container('b', labels('runner-1', 7, '1'))] } as unknown as DockerEngine;
    const found = await findRunContainers(docker, 60_000, probe);
    expect(found.live.map((c) => c.name)).toEqual(['a']);
    expect(found.leftovers.map((l) => [l.container.name, l.reason])).toEqual([['b', 'its dagship process 7 is gone']]);
  });
});
