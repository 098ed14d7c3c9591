import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Workload } from '../../src/kube/cluster.js';
import { rolloutState } from '../../src/kube/rollout.js';
import { fixture } from '../fixtures/kube/harness.js';

/** Objects recorded from the real control plane by test/fixtures/kube/record.sh. */
function recorded(file: string): Workload {
  const object = JSON.parse(readFileSync(fixture(`recorded/${file}`), 'utf8')) as Workload['object'] & { kind: Workload['kind'] };
  return { kind: object.kind, name: object.metadata!.name!, namespace: 'ns', object };
}

describe('rolloutState on recorded objects', () => {
  it.each([
    ['deployment-complete.json', 'done', '2 of 2 replicas updated and available'],
    ['deployment-stuck.json', 'progressing', '1 of 2 updated replicas'],
    ['deployment-deadline-exceeded.json', 'failed', 'progress deadline exceeded: ReplicaSet "web-'],
    ['statefulset-complete.json', 'done', '2 pods at revision worker-595687945f'],
    ['statefulset-stuck.json', 'progressing', '1 of 2 pods ready'],
  ])('%s → %s', (file, phase, message) => {
    const state = rolloutState(recorded(file));
    expect(state.phase).toBe(phase);
    expect(state.message).toContain(message);
  });
});
