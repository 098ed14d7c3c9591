import { type Options, baselinePath } from '../../src/config.js';
import { DagshipError } from '../../src/errors.js';
import { judge } from '../../src/outcome.js';
import { CHART_VERSION, type AuditOptions, type Values } from '../../src/audit/index.js';
import { auditOptionsOf, auditValues } from '../../src/audit/run.js';
import { airflowImage, describeImage } from '../../src/audit/context.js';
import { VERSION } from '../version.js';
import type { ConfigFlags, ReportFlags } from '../flags.js';
import { loadSettings } from '../settings.js';
import { present } from '../present.js';

export type AuditFlags = ConfigFlags &
  ReportFlags & {
    /** The repository root: where dagship.yaml and its audit.values are (default: here). */
    path?: string;
    values?: string[];
    imageRepository?: string;
    /** Live mode: the Helm release and its namespace, and the kubeconfig context. */
    release?: string;
    namespace?: string;
    context?: string;
  };

/** Audits Helm values for the official Airflow chart against the production checklist. */
export async function audit(flags: AuditFlags): Promise<number> {
  const options = loadSettings(flags.path, flags, false);
  const auditOptions = withAuditFlags(auditOptionsOf(options), flags);
  if (flags.release || flags.namespace) return auditLive(flags, options, auditOptions);
  // --values given: paths as typed, from here; else dagship.yaml's audit.values, from the repository root.
  const [files, cwd] = flags.values?.length ? [flags.values, process.cwd()] : [options.audit.values, options.root];
  if (!files.length) {
    throw new DagshipError(
      'dagship audit needs at least one values file',
      'pass --values values.yaml (repeat it for more files, later ones win, like helm -f), or list them under audit.values in dagship.yaml',
      'usage',
    );
  }
  const { run, values } = auditValues(files, cwd, auditOptions, VERSION);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  return present(outcome, {
    title: 'dagship audit',
    reports: flags.reports,
    summary: [summaryLine(values, auditOptions)],
    json: { chart_defaults: CHART_VERSION, values_files: values.files, airflow_image: describeImage(airflowImage(values)) },
  });
}

/**
 * What runs, not what would be rendered. With --values too, the two would describe different things in one
 * report (and the file findings would gate a release already running), so that is refused.
 */
async function auditLive(flags: AuditFlags, options: Options, auditOptions: AuditOptions): Promise<number> {
  if (!flags.release || !flags.namespace) {
    throw new DagshipError('a live audit needs both --release and --namespace', 'e.g. dagship audit --release airflow --namespace airflow (helm list -A shows both)', 'usage');
  }
  if (flags.values?.length) {
    throw new DagshipError(
      '--values and --release cannot be combined',
      'run dagship audit --values … for the files and dagship audit --release … for the running release, one after the other',
      'usage',
    );
  }
  // Loaded here so values audits do not parse the Kubernetes client.
  const { connectKube, loadKubeConfig } = await import('../../src/kube/cluster.js');
  const { auditRelease } = await import('../../src/audit/live.js');
  const cluster = connectKube(loadKubeConfig(flags.context));
  const { run, values } = await auditRelease(cluster, flags.namespace, flags.release, auditOptions, VERSION);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const where = `release ${flags.release} in namespace ${flags.namespace}${flags.context ? ` (context ${flags.context})` : ''}`;
  return present(outcome, {
    title: 'dagship audit',
    reports: flags.reports,
    summary: [
      `${where} · ${run.files.length} object(s) read · Airflow ${String(values.get('airflowVersion'))} · ${String(values.get('executor') || '-')} · scheduler image ${describeImage(airflowImage(values))}`,
    ],
    json: { release: flags.release, namespace: flags.namespace, objects: run.files, airflow_image: describeImage(airflowImage(values)) },
  });
}

/** --image-repository wins over the repository dagship.yaml names; the audit keys have settings flags of their own. */
function withAuditFlags(options: AuditOptions, flags: AuditFlags): AuditOptions {
  return { ...options, repository: flags.imageRepository ?? options.repository };
}

function summaryLine(values: Values, options: AuditOptions): string {
  const executor = String(values.get('executor') ?? '-');
  const airflow = String(values.get('airflowVersion') ?? '-');
  const repo = options.repository ? ` · dagship repository ${options.repository}` : '';
  return `chart defaults ${CHART_VERSION} · Airflow ${airflow} · ${executor} · image ${describeImage(airflowImage(values))}${repo}`;
}
