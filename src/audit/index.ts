import type { Finding, Severity } from '../findings.js';
import { createContext, type AuditOptions } from './context.js';
import { databaseRules } from './rules/database.js';
import { dagsRules } from './rules/dags.js';
import { deprecatedRules } from './rules/deprecated.js';
import { executorRules } from './rules/executor.js';
import { exposureRules } from './rules/exposure.js';
import { imagesRules } from './rules/images.js';
import { logsRules } from './rules/logs.js';
import { observabilityRules } from './rules/observability.js';
import { rbacRules } from './rules/rbac.js';
import { resourcesRules } from './rules/resources.js';
import { secretsRules } from './rules/secrets.js';
import type { Values } from './values.js';

export type { AuditOptions } from './context.js';
export { CHART_DEFAULTS, CHART_VERSION } from './defaults.js';
export { readValuesFiles, parseValuesText } from './parse.js';
export { mergeValues, type Values } from './values.js';

/** Every audit rule with its usual severity; docs/audit-rules.md explains each. */
export const AUDIT_RULES: Record<string, Severity> = {
  'helm-metadata-db-in-cluster': 'error',
  'helm-metadata-db-unset': 'error',
  'helm-metadata-db-plain-credentials': 'error',
  'helm-dags-not-shipped': 'error',
  'helm-dags-git-sync': 'warning',
  'helm-dags-pvc-access-mode': 'warning',
  'helm-logs-ephemeral': 'error',
  'helm-logs-existing-claim': 'note',
  'helm-secret-literal': 'error',
  'helm-secret-key-well-known': 'error',
  'helm-secret-key-generated': 'warning',
  'helm-secrets-backend-missing': 'warning',
  'helm-default-admin-user': 'error',
  'helm-rbac-disabled': 'error',
  'helm-rbac-cluster-wide': 'warning',
  'helm-worker-default-service-account': 'warning',
  'helm-network-policies-disabled': 'warning',
  'helm-ingress-without-tls': 'error',
  'helm-metrics-disabled': 'warning',
  'helm-k8s-pod-batch-size': 'warning',
  'helm-parallelism-below-floor': 'warning',
  'helm-scheduler-heartbeat': 'warning',
  'helm-config-deprecated-key': 'warning',
  'helm-redis-unused': 'note',
  'helm-image-latest': 'warning',
  'helm-image-no-digest': 'warning',
  'helm-pod-template-image-mismatch': 'error',
  'helm-pod-template-image-stale': 'warning',
  'helm-task-image-digest-ignored': 'warning',
  'helm-resources-missing': 'warning',
  // Live mode only (dagship audit --release): components running different images.
  'helm-image-drift': 'error',
};

const GROUPS = [databaseRules, dagsRules, logsRules, secretsRules, rbacRules, exposureRules, observabilityRules, executorRules, deprecatedRules, imagesRules, resourcesRules];

/** The production checklist over chart values (merged values files today, a live release later). */
export function runAudit(values: Values, options: AuditOptions = {}): Finding[] {
  const ctx = createContext(values, options);
  return GROUPS.flatMap((group) => group(ctx));
}
