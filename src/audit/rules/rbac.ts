import { chartTrue, finding, text, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';

/** Kubernetes rights and isolation: namespaced roles, dedicated service accounts, network policies. */
export function rbacRules(ctx: AuditContext): Finding[] {
  return [rbacOff(ctx), clusterWide(ctx), ...defaultServiceAccounts(ctx), noNetworkPolicies(ctx)].filter((f): f is Finding => f !== undefined);
}

function rbacOff(ctx: AuditContext): Finding | undefined {
  if (chartTrue(ctx.values.get('rbac.create'))) return undefined;
  return finding(ctx, {
    rule: 'helm-rbac-disabled',
    severity: 'error',
    at: ['rbac.create'],
    message:
      'rbac.create is off: the chart creates none of the namespaced Roles Airflow needs to launch and watch pods and read their logs, so either those features fail or someone granted broader rights by hand, outside the release and its review',
    help: 'set rbac.create: true so the chart creates exactly the namespaced Roles and RoleBindings Airflow uses',
  });
}

function clusterWide(ctx: AuditContext): Finding | undefined {
  if (!chartTrue(ctx.values.get('multiNamespaceMode'))) return undefined;
  return finding(ctx, {
    rule: 'helm-rbac-cluster-wide',
    severity: 'warning',
    at: ['multiNamespaceMode'],
    message:
      'multiNamespaceMode is on: the chart creates a ClusterRole and ClusterRoleBinding, so the scheduler (and workers allowed to launch pods) can create, delete and read the logs of pods in every namespace of the cluster',
    help: 'set multiNamespaceMode: false unless tasks really run in other namespaces; then grant Roles in just those namespaces yourself',
  });
}

export function noNetworkPolicies(ctx: AuditContext): Finding | undefined {
  if (chartTrue(ctx.values.get('networkPolicies.enabled'))) return undefined;
  return finding(ctx, {
    rule: 'helm-network-policies-disabled',
    severity: 'warning',
    at: ['networkPolicies.enabled'],
    message:
      "networkPolicies.enabled is off (the chart's default): every Airflow pod accepts connections from any pod in the cluster — the API server, Redis, PgBouncer, the StatsD exporter and the workers' log servers included",
    help: 'set networkPolicies.enabled: true (the CNI must enforce NetworkPolicy) and allow your ingress controller with apiServer.networkPolicy.ingress.from',
  });
}

/**
 * Which worker ServiceAccount settings apply: the Celery workers read workers.serviceAccount (and
 * workers.celery.serviceAccount), KubernetesExecutor task pods use workers.kubernetes.serviceAccount when
 * it creates one, else workers.serviceAccount.
 */
function workerAccountSections(ctx: AuditContext): string[] {
  const sections = new Set<string>();
  if (ctx.executors.celery) sections.add('workers.serviceAccount').add('workers.celery.serviceAccount');
  if (ctx.executors.kubernetes) sections.add(chartTrue(ctx.values.get('workers.kubernetes.serviceAccount.create')) ? 'workers.kubernetes.serviceAccount' : 'workers.serviceAccount');
  return [...sections];
}

export function defaultServiceAccounts(ctx: AuditContext): Finding[] {
  return workerAccountSections(ctx)
    .filter((section) => {
      const create = chartTrue(ctx.values.get(`${section}.create`));
      const name = text(ctx.values.get(`${section}.name`));
      return name === 'default' || (!create && !name);
    })
    .map((section) =>
      finding(ctx, {
        rule: 'helm-worker-default-service-account',
        severity: 'warning',
        at: [`${section}.name`, `${section}.create`],
        message: `workers run as the namespace's default ServiceAccount (${section}: create off and no name, or name 'default'): every other pod in the namespace shares its identity, and any cloud IAM role or RBAC given to task code leaks to all of them`,
        help: `set ${section}.create: true (the chart makes a dedicated account) or ${section}.name: <a dedicated ServiceAccount>`,
      }),
    );
}
