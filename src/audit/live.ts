import { DagshipError } from '../errors.js';
import type { Finding, ToolRun } from '../findings.js';
import type { KubeCluster } from '../kube/cluster.js';
import { readRelease } from '../kube/release.js';
import { chartTrue, createContext, type AuditOptions } from './context.js';
import { liveValues } from './live-facts.js';
import { imageDrift, staleTemplate } from './live-images.js';
import { liveRelease, objectName, type LiveRelease } from './live-objects.js';
import { liveEnvLiterals, liveIngressTls } from './live-rules.js';
import { databaseRules } from './rules/database.js';
import { dagsRules } from './rules/dags.js';
import { deprecatedRules } from './rules/deprecated.js';
import { executorRules } from './rules/executor.js';
import { pinning } from './rules/images.js';
import { logsRules } from './rules/logs.js';
import { observabilityRules } from './rules/observability.js';
import { defaultServiceAccounts, noNetworkPolicies } from './rules/rbac.js';
import { resourcesRules } from './rules/resources.js';
import { configLiterals } from './rules/secret-literals.js';
import { secretsBackend } from './rules/secrets.js';
import type { Values } from './values.js';

/**
 * The production checklist over a running release. The values rules run where the live objects carry the
 * same facts (see liveValues); rules about values the cluster cannot show (the admin user job, chart-made
 * signing keys, rbac.create, multiNamespaceMode) are left to `--values`. Live-only: `helm-image-drift`.
 */
export function auditLive(live: LiveRelease, options: AuditOptions): { findings: Finding[]; values: Values } {
  const values = liveValues(live);
  const ctx = createContext(values, options);
  const kubernetes = ctx.executors.kubernetes;
  const findings = [
    // Only the in-cluster database shows live; an external one's credentials show as env literals below.
    ...(chartTrue(values.get('postgresql.enabled')) ? databaseRules(ctx) : []),
    ...dagsRules(ctx),
    ...logsRules(ctx),
    ...configLiterals(ctx),
    secretsBackend(ctx),
    ...defaultServiceAccounts(ctx),
    noNetworkPolicies(ctx),
    ...observabilityRules(ctx),
    ...executorRules(ctx),
    ...deprecatedRules(ctx),
    pinning(ctx),
    ...resourcesRules(ctx),
    ...imageDrift(live, kubernetes),
    ...staleTemplate(live, kubernetes),
    ...liveEnvLiterals(live),
    ...liveIngressTls(live),
  ];
  return { findings: findings.filter((f): f is Finding => f !== undefined), values };
}

/** What `dagship audit --release` reports: one `dagship` run over the objects read. */
export interface ReleaseAudit {
  run: ToolRun;
  values: Values;
  live: LiveRelease;
}

/** Reads a release through the Kubernetes module deploy uses (read-only) and audits it. */
export async function auditRelease(cluster: KubeCluster, namespace: string, release: string, options: AuditOptions, version: string): Promise<ReleaseAudit> {
  const live = await readLive(cluster, namespace, release);
  const { findings, values } = auditLive(live, options);
  const files = [
    ...[...live.components.values()].map(objectName),
    ...live.objects.configMaps.map((c) => `configmap/${c.metadata?.name}`),
    ...live.objects.ingresses.map((i) => `ingress/${i.metadata?.name}`),
  ];
  return { run: { tool: 'dagship', version, files, findings }, values, live };
}

async function readLive(cluster: KubeCluster, namespace: string, release: string): Promise<LiveRelease> {
  try {
    // deploy's discovery first: a missing namespace or release gets the same message there and here.
    await readRelease(cluster, namespace, release);
    return liveRelease(namespace, release, await cluster.readReleaseObjects(namespace, release));
  } catch (err) {
    if (err instanceof DagshipError && err.message.startsWith('forbidden:')) {
      throw new DagshipError(
        err.message,
        `the audit only reads: apply deploy/audit-rbac.yaml in '${namespace}' (get/list on the release's workloads, pods, ConfigMaps, Ingresses, NetworkPolicies and claims) and use that identity`,
        'config',
        { cause: err },
      );
    }
    throw err;
  }
}
