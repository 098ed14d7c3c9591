import type * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { KubeCluster, Workload, WorkloadRef } from '../../src/kube/cluster.js';
import { watchRollouts } from '../../src/kube/watch.js';
import { silentLogger } from '../../src/logger.js';

const RECORDED = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/kube/recorded');
const recorded = (name: string): Workload => {
  const object = JSON.parse(readFileSync(path.join(RECORDED, `${name}.json`), 'utf8')) as k8s.V1Deployment;
  return { kind: 'Deployment', name: 'web', namespace: 'ns', object };
};
const ref: WorkloadRef = { kind: 'Deployment', name: 'web', namespace: 'ns' };

/** GETs answer `stuck` (recorded mid-rollout); the watch pushes what the test sends, when it sends it. */
function cluster(options: { watch: boolean }) {
  let push: ((w: Workload) => void) | undefined;
  let stopped = 0;
  let reads = 0;
  const c = {
    readWorkload: async () => {
      reads++;
      return recorded('deployment-stuck');
    },
    ...(options.watch
      ? {
          watchWorkload: async (_ref: WorkloadRef, onChange: (w: Workload) => void) => {
            push = onChange;
            return () => {
              stopped++;
            };
          },
        }
      : {}),
  } as Partial<KubeCluster> as KubeCluster;
  return { c, push: (w: Workload) => push!(w), stopped: () => stopped, reads: () => reads };
}

describe('watchRollouts', () => {
  it('ends when the watch reports the rollout complete, without waiting for the next poll, and stops the watch', async () => {
    const fake = cluster({ watch: true });
    const started = Date.now();
    const results = watchRollouts(fake.c, [ref], { timeoutMs: 30_000, intervalMs: 10_000 }, silentLogger);
    setTimeout(() => fake.push(recorded('deployment-complete')), 50);
    expect(await results).toEqual([{ ref, ok: true, message: '2 of 2 replicas updated and available' }]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.stopped()).toBe(1);
    expect(fake.reads()).toBe(1);
  });

  it('polls when the cluster cannot watch, and times out with where the rollout stood', async () => {
    const fake = cluster({ watch: false });
    const [result] = await watchRollouts(fake.c, [ref], { timeoutMs: 200, intervalMs: 20 }, silentLogger);
    expect(result!.ok).toBe(false);
    expect(result!.message).toMatch(/^timed out: /);
    expect(fake.reads()).toBeGreaterThan(3);
  });
});
