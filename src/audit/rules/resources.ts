import { chartTrue, finding, type AuditContext } from '../context.js';
import { isMapping } from '../values.js';
import type { Finding } from '../../findings.js';

interface Component {
  key: string;
  what: string;
  plural?: boolean;
  /** Other keys that set this component's resources (the chart's per-executor worker sections). */
  alternatives?: string[];
}

/** The long-running Airflow pods (and task pods) this release creates. */
function components(ctx: AuditContext): Component[] {
  const values = ctx.values;
  const list: Component[] = [];
  if (chartTrue(values.get('scheduler.enabled'))) list.push({ key: 'scheduler', what: 'the scheduler' });
  if (ctx.airflowMajor >= 3 && chartTrue(values.get('apiServer.enabled'))) list.push({ key: 'apiServer', what: 'the API server' });
  if (ctx.airflowMajor < 3 && chartTrue(values.get('webserver.enabled'))) list.push({ key: 'webserver', what: 'the webserver' });
  // dagProcessor.enabled is null by default: standalone on Airflow 3, off on Airflow 2.
  const dagProcessor = values.get('dagProcessor.enabled');
  if (dagProcessor === null || dagProcessor === undefined ? ctx.airflowMajor >= 3 : chartTrue(dagProcessor)) list.push({ key: 'dagProcessor', what: 'the DAG processor' });
  if (chartTrue(values.get('triggerer.enabled'))) list.push({ key: 'triggerer', what: 'the triggerer' });
  if (ctx.executors.celery || ctx.executors.kubernetes) {
    const alternatives = [...(ctx.executors.celery ? ['workers.celery'] : []), ...(ctx.executors.kubernetes ? ['workers.kubernetes'] : [])];
    list.push({ key: 'workers', what: ctx.executors.kubernetes && !ctx.executors.celery ? 'KubernetesExecutor task pods' : 'the workers', plural: true, alternatives });
  }
  return list;
}

/** Which of requests/limits a resources block lacks. */
function missingParts(ctx: AuditContext, component: Component): string[] {
  const blocks = [component.key, ...(component.alternatives ?? [])].map((k) => ctx.values.get(`${k}.resources`)).filter(isMapping);
  return ['requests', 'limits'].filter((part) => !blocks.some((b) => chartTrue(b[part])));
}

/** Pods without requests get scheduled blind and evicted first; without limits one pod can starve a node. */
export function resourcesRules(ctx: AuditContext): Finding[] {
  return components(ctx).flatMap((component) => {
    const missing = missingParts(ctx, component);
    if (!missing.length) return [];
    const what = missing.length === 2 ? 'no resource requests or limits' : `no resource ${missing[0]}`;
    const it = component.plural ? 'them' : 'it';
    const why = missing.includes('requests') ? `Kubernetes schedules ${it} blind and evicts ${it} first under memory pressure` : 'one busy pod can take a whole node';
    return [
      finding(ctx, {
        rule: 'helm-resources-missing',
        severity: 'warning',
        at: [`${component.key}.resources`, ...(component.alternatives ?? []).map((k) => `${k}.resources`)],
        message: `${component.what} (${component.key}.resources) ${component.plural ? 'have' : 'has'} ${what}: ${why}`,
        help: `set ${component.key}.resources.requests (cpu, memory) and ${component.key}.resources.limits (at least memory), sized from observed usage`,
      }),
    ];
  });
}
