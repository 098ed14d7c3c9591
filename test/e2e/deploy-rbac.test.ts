import * as k8s from '@kubernetes/client-node';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAILING, kubeHarness, NEW, OLD } from '../fixtures/kube/harness.js';
import { dagship, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

const env = infra();
const kube = kubeHarness(env.kubeconfig);
const rbac = kube.kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const namespaces: string[] = [];

/** A release with deploy/rbac.yaml applied, and a kubeconfig for its ServiceAccount (TokenRequest). */
async function releaseWithDeployer(): Promise<{ ns: string; kubeconfig: string }> {
  const ns = await kube.release('deploy-rbac', [path.join(REPO_ROOT, 'deploy', 'rbac.yaml')]);
  namespaces.push(ns);
  return { ns, kubeconfig: await kube.serviceAccountKubeconfig(ns, 'dagship-deployer') };
}

// The release gate has its own tests (gate.test.ts): these images exist only by digest.
const asDeployer = (kubeconfig: string, args: string[]) => dagship([...args, '--skip-verify'], { env: { KUBECONFIG: kubeconfig } });

describe('deploy/rbac.yaml is enough for deploy and rollback, and nothing less is', () => {
  afterAll(async () => {
    await Promise.all(namespaces.map((name) => kube.core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('deploys, reports a failed rollout and rolls back as the dagship-deployer ServiceAccount', async () => {
    const { ns, kubeconfig } = await releaseWithDeployer();
    const deployed = await asDeployer(kubeconfig, ['deploy', '--image', NEW, '--release', 'airflow', '-n', ns, '--timeout', '90s']);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(
      Object.values(await kube.images(ns))
        .flat()
        .filter((i) => i.includes(OLD)),
    ).toEqual([]);
    // The Lease and the release record were written as the ServiceAccount (create, update, list).
    const lease = await kube.kc.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name: 'airflow-dagship', namespace: ns });
    expect(lease.spec?.holderIdentity).toBeUndefined();
    expect((await kube.core.readNamespacedConfigMap({ name: 'airflow-dagship-r1', namespace: ns })).data?.['record.json']).toContain('"status": "deployed"');

    const failed = await asDeployer(kubeconfig, ['deploy', '--image', FAILING, '--release', 'airflow', '-n', ns, '--timeout', '15s']);
    expect(failed.exitCode, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/ErrImagePull|ImagePullBackOff/);

    const back = await asDeployer(kubeconfig, ['rollback', '--release', 'airflow', '-n', ns, '--timeout', '90s']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(
      Object.values(await kube.images(ns))
        .flat()
        .filter((i) => i.includes(NEW)),
    ).toEqual([]);
  });

  it('names the verb and resource a reduced Role lacks, with exit 2', async () => {
    const { ns, kubeconfig } = await releaseWithDeployer();
    const role = await rbac.readNamespacedRole({ name: 'dagship-deployer', namespace: ns });
    role.rules = role.rules!.map((r) => (r.resources?.includes('deployments') ? { ...r, verbs: ['get', 'list', 'watch'] } : r));
    await rbac.replaceNamespacedRole({ name: 'dagship-deployer', namespace: ns, body: role });
    // The RBAC authorizer reads Roles through an informer: give it a moment to see the change.
    await new Promise((r) => setTimeout(r, 2000));
    const denied = await asDeployer(kubeconfig, ['deploy', '--image', NEW, '--release', 'airflow', '-n', ns]);
    expect(denied.exitCode).toBe(2);
    expect(denied.stderr).toContain(`forbidden: may not patch deployments in namespace '${ns}'`);
    expect(denied.stderr).toContain("hint: grant the verb 'patch' on 'deployments'");
    expect(
      Object.values(await kube.images(ns))
        .flat()
        .filter((i) => i.includes(NEW)),
    ).toEqual([]);
  });
});
