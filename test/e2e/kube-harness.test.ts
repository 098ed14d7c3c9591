import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { infra } from './infra.js';

const env = infra();
const kc = new k8s.KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const namespace = `harness-${randomBytes(3).toString('hex')}`;

async function readyReplicas(name: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await apps.readNamespacedDeployment({ name, namespace });
    if ((d.status?.readyReplicas ?? 0) === d.spec?.replicas || Date.now() > deadline) return d.status?.readyReplicas ?? 0;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function deployment(name: string, image: string): k8s.V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, namespace },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image }] } } },
  };
}

describe('Kubernetes control plane (real kube-apiserver, controllers, kwok nodes)', () => {
  afterAll(async () => {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('serves v1.36 and runs a Deployment to Ready replicas', async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.36\./);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', '127.0.0.1:5111/team/dags:1') });
    expect(await readyReplicas('web')).toBe(2);
  });

  it('keeps a pod whose image is named fail-* from ever becoming Ready', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('broken', '127.0.0.1:5111/team/fail-rollout:1') });
    expect(await readyReplicas('broken', 8_000)).toBe(0);
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=broken' });
    const waiting = pods.items.flatMap((p) => p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((r) => r === 'ErrImagePull' || r === 'ImagePullBackOff')).toBe(true);
  });
});
